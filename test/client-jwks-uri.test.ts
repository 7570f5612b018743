import { randomBytes } from 'node:crypto';
import { buildDataPlane } from '@tessera/data-plane/server';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import type { FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { startHttpsServer } from './support/https-server.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const FORM = 'application/x-www-form-urlencoded';

/**
 * private_key_jwt with keys the client hosts (`jwks_uri`, RFC 7591 §2):
 * fetched over https through the client-document fetcher, cached, shared by
 * concurrent requests, and never from a private address unless the
 * deployment allows it (shared/src/http/outbound-policy.ts).
 */
describe('client keys at jwks_uri', () => {
  let planes: InProcessPlanes;
  let host: Awaited<ReturnType<typeof startHttpsServer>>;
  let tid: string;
  let issuer: string;
  let fetches = 0;
  let jwks = '';
  let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

  const assertion = (clientId: string) =>
    new SignJWT({})
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(clientId)
      .setSubject(clientId)
      .setAudience(issuer)
      .setJti(randomBytes(16).toString('hex'))
      .setIssuedAt()
      .setExpirationTime('2m')
      .sign(privateKey);
  const tokenForm = async (clientId: string) =>
    new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: await assertion(clientId),
    });
  const token = async (clientId: string) => {
    const res = await fetch(`${planes.dataPlaneUrl}/token`, {
      method: 'POST',
      headers: { 'tenant-id': tid, 'content-type': FORM },
      body: await tokenForm(clientId),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const tokenAt = async (node: FastifyInstance, clientId: string) => {
    const res = await node.inject({
      method: 'POST',
      url: '/token',
      headers: { 'tenant-id': tid, 'content-type': FORM },
      payload: (await tokenForm(clientId)).toString(),
    });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  };

  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    privateKey = pair.privateKey;
    jwks = JSON.stringify({ keys: [{ ...(await exportJWK(pair.publicKey)), alg: 'ES256', use: 'sig', kid: 'k1' }] });
    host = await startHttpsServer({
      '/jwks.json': {
        body: () => {
          fetches += 1;
          return jwks;
        },
      },
      '/not-a-jwk-set.json': { body: '{"hello":"world"}' },
    });
    planes = await startInProcessPlanes({ listen: true });
    tid = uniqueTid('jku');
    issuer = `https://${tid}.example.com`;
    await planes.createTenant({ tid, name: tid, issuer });
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
    await host?.close();
  });

  const register = (path: string) =>
    addClient(
      planes.s,
      tid,
      {
        token_endpoint_auth_method: 'private_key_jwt',
        grant_types: ['client_credentials'],
        jwks_uri: `${host.url}${path}`,
      },
      { secret: null },
    );

  it('verifies assertions against the fetched keys, fetching once for many concurrent requests', async () => {
    const { clientId } = await register('/jwks.json');
    const before = fetches;
    const answers = await Promise.all(Array.from({ length: 5 }, () => token(clientId)));
    for (const answer of answers) expect(answer).toMatchObject({ status: 200, body: { token_type: 'Bearer' } });
    expect(fetches - before).toBe(1);
    // Cached: a later request fetches nothing.
    expect((await token(clientId)).status).toBe(200);
    expect(fetches - before).toBe(1);
  });

  it('refuses, with invalid_client, keys it cannot use', async () => {
    const { clientId } = await register('/not-a-jwk-set.json');
    expect(await token(clientId)).toMatchObject({
      status: 401,
      body: { error: 'invalid_client', error_description: 'The client jwks_uri could not be retrieved' },
    });
    const { clientId: missing } = await register('/nothing-here.json');
    expect(await token(missing)).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  });

  it('does not fetch from a private address unless the deployment allows it', async () => {
    // Another node of the deployment, with the settings its process reads under the default CLIENT_FETCH_PRIVATE=deny.
    const subscriber = createRedis(planes.s.settings.redisUrl, planes.s.settings.redisPrefix);
    const guarded = buildDataPlane({
      settings: loadSettings({ ...process.env, CLIENT_FETCH_PRIVATE: 'deny' }),
      db: planes.s.db,
      redis: planes.s.redis,
      subscriber,
      keyStores: planes.s.keyStores,
      masterKey: planes.s.masterKey,
    });
    try {
      await guarded.sync.start();
      const before = fetches;
      const { clientId } = await register('/jwks.json'); // https://127.0.0.1:<port>: loopback
      expect(await tokenAt(guarded.app, clientId)).toMatchObject({
        status: 401,
        body: { error: 'invalid_client', error_description: 'The client jwks_uri could not be retrieved' },
      });
      // A name that resolves to loopback is refused after resolution, not by its spelling.
      const { clientId: byName } = await addClient(
        planes.s,
        tid,
        {
          token_endpoint_auth_method: 'private_key_jwt',
          grant_types: ['client_credentials'],
          jwks_uri: `${host.url.replace('127.0.0.1', 'localhost')}/jwks.json`,
        },
        { secret: null },
      );
      expect((await tokenAt(guarded.app, byName)).status).toBe(401);
      expect(fetches - before).toBe(0);
      // The node that allows private addresses fetches the same keys: the refusal above was the rule, not the client.
      expect((await tokenAt(planes.dp.app, clientId)).status).toBe(200);
      expect(fetches - before).toBe(1);
    } finally {
      await guarded.app.close();
      subscriber.disconnect();
    }
  });
});
