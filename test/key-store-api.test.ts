import type { DataPlane } from '@tessera/data-plane/server';
import { SIGNING_ALGORITHMS } from '@tessera/shared/config/tenant-config';
import { decryptCompactJwe } from '@tessera/shared/keys/jwe';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import { KeyNotFoundError } from '@tessera/shared/keys/key-store';
import { publishedKeys } from '@tessera/shared/keys/published-keys';
import { CompactEncrypt, createLocalJWKSet, importJWK, type JSONWebKeySet, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, type TestServices, uniqueTid } from './support/env.ts';
import { signJwt } from './support/jwt.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { startPlane } from './support/processes.ts';

interface KeyView {
  kid: string;
  tpr: string;
  alg: string;
  status: string;
  use: string;
  nbf: number;
  exp?: number;
  revoked_at?: number;
  d?: string;
}

describe('key store API (/key-store/rest/v1) over HTTP, keys in SoftHSM', () => {
  let planes: InProcessPlanes;
  let s: TestServices;
  let dp: DataPlane;
  const tenants: Record<'a' | 'b' | 'soft', { tid: string; token: string }> = {} as never;
  // Short lifetimes so a retired key may be deleted, and a short pre-publication so rotation completes in the test.
  const config = { tokens: { accessTokenLifetime: 1, idTokenLifetime: 1 }, keys: { prePublicationSeconds: 3 } };

  const call = (
    who: keyof typeof tenants,
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    options: { token?: string; form?: string } = {},
  ) =>
    dp.app.inject({
      method,
      url: `/key-store/rest/v1/op${path}`,
      headers: {
        'tenant-id': tenants[who].tid,
        authorization: `Bearer ${options.token ?? tenants[who].token}`,
        ...(options.form !== undefined ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      ...(options.form !== undefined ? { payload: options.form } : {}),
    });
  const jwks = async (who: keyof typeof tenants) =>
    (
      await dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tenants[who].tid } })
    ).json() as JSONWebKeySet;

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    ({ s, dp } = planes);
    for (const who of ['a', 'b', 'soft'] as const) {
      const tid = uniqueTid(`ks-${who}`);
      const { apiToken } = await planes.createTenant({
        tid,
        name: tid,
        issuer: `https://${tid}.example.com`,
        config: who === 'soft' ? { ...config, keys: { ...config.keys, backend: 'software' } } : config,
      });
      tenants[who] = { tid, token: apiToken };
    }
  }, 60_000);
  afterAll(async () => planes.close());

  it('signs with every algorithm inside the tenant’s token; jose verifies each JWT against the served /jwks.json; JWE to its keys decrypts', async () => {
    const tid = uniqueTid('ks-all');
    await planes.createTenant({
      tid,
      name: tid,
      issuer: `https://${tid}.example.com`,
      config: {
        keys: { signingAlgorithms: [...SIGNING_ALGORITHMS], encryptionAlgorithms: ['RSA-OAEP', 'RSA-OAEP-256'] },
      },
    });
    const served = (
      await dp.app.inject({ method: 'GET', url: '/jwks.json', headers: { 'tenant-id': tid } })
    ).json() as JSONWebKeySet;
    const keySet = createLocalJWKSet(served);
    const store = s.keyStores.for('pkcs11');
    for (const alg of SIGNING_ALGORITHMS) {
      const key = currentKey(await publishedKeys(s.db, tid), alg)!;
      expect(key.backend).toBe('pkcs11');
      const jwt = await signJwt(store, tid, key, { sub: 'alice', alg_under_test: alg });
      const { payload, protectedHeader } = await jwtVerify(jwt, keySet);
      expect(protectedHeader).toMatchObject({ alg, kid: key.kid });
      expect(payload.alg_under_test).toBe(alg);
    }
    for (const alg of ['RSA-OAEP', 'RSA-OAEP-256'] as const) {
      const jwk = served.keys.find((k) => k.alg === alg)!;
      expect(jwk.use).toBe('enc');
      const jwe = await new CompactEncrypt(Buffer.from(`request object for ${alg}`))
        .setProtectedHeader({ alg, enc: 'A256GCM', kid: jwk.kid! })
        .encrypt(await importJWK(jwk, alg));
      expect((await decryptCompactJwe(store, tid, jwe)).plaintext.toString()).toBe(`request object for ${alg}`);
    }
  }, 60_000);

  it('needs the tenant’s own API token', async () => {
    expect(
      (await dp.app.inject({ method: 'GET', url: '/key-store/rest/v1/op', headers: { 'tenant-id': tenants.a.tid } }))
        .statusCode,
    ).toBe(401);
    const wrong = await call('a', 'GET', '', { token: tenants.b.token });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error).toBe('invalid_token');
    expect((await call('a', 'GET', '/federation')).statusCode).toBe(404);
  });

  it('lists the published keys with thumbprints and status, never a private member', async () => {
    const res = await call('a', 'GET', '');
    expect(res.statusCode).toBe(200);
    const { keys } = res.json() as { keys: KeyView[] };
    expect(keys.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);
    for (const key of keys) {
      expect(key.tpr).toBe(key.kid);
      expect(key.status).toBe('active');
      expect(key.d).toBeUndefined();
    }
  });

  it('rotates: the new kid is published before it signs, old tokens still verify, a deleted key disappears', async () => {
    const before = currentKey(await publishedKeys(s.db, tenants.a.tid), 'ES256')!;
    const oldToken = await signJwt(s.keyStores.for('pkcs11'), tenants.a.tid, before, { sub: 'alice' });

    const rotated = await call('a', 'POST', '/rotate', { form: 'rsa=2048&no_eddsa=true' });
    expect(rotated.statusCode).toBe(200);
    const fresh = (rotated.json() as { keys: KeyView[] }).keys;
    expect(fresh.map((k) => k.alg).sort()).toEqual(['ES256', 'RS256', 'RSA-OAEP-256']);
    for (const key of fresh) expect(key.status).toBe('pending');
    const freshEs = fresh.find((k) => k.alg === 'ES256')!;

    // Published at once, on this node's JWKS, while the old key still signs.
    const published = await jwks('a');
    expect(published.keys.map((k) => k.kid)).toEqual(expect.arrayContaining(fresh.map((k) => k.kid)));
    expect(currentKey(await publishedKeys(s.db, tenants.a.tid), 'ES256')!.kid).toBe(before.kid);
    await expect(
      s.keyStores.for('pkcs11').sign(tenants.a.tid, { kid: freshEs.kid, alg: 'ES256' }, Buffer.from('x.y')),
    ).rejects.toBeInstanceOf(KeyNotFoundError);

    // After pre-publication (3 s here: RSA key generation under load can take over a second) the new key signs and the old one is retired, still published.
    await eventually(
      async () => currentKey(await publishedKeys(s.db, tenants.a.tid), 'ES256')?.kid,
      (kid) => kid === freshEs.kid,
      10_000,
    );
    s.keyStores.forgetTenant(tenants.a.tid);
    const afterRotation = await jwks('a');
    await expect(jwtVerify(oldToken, createLocalJWKSet(afterRotation))).resolves.toMatchObject({
      payload: { sub: 'alice' },
    });
    const newToken = await signJwt(
      s.keyStores.for('pkcs11'),
      tenants.a.tid,
      { kid: freshEs.kid, alg: 'ES256' },
      { sub: 'bob' },
    );
    await expect(jwtVerify(newToken, createLocalJWKSet(afterRotation))).resolves.toMatchObject({
      payload: { sub: 'bob' },
    });

    // An active key cannot be deleted; the retired one can, once tokens it signed have expired (1 s here).
    const activeDelete = await call('a', 'DELETE', `/${freshEs.kid}`);
    expect(activeDelete.statusCode).toBe(400);
    expect(activeDelete.json().error_description).toMatch(/is active/);
    await eventually(
      async () => (await call('a', 'DELETE', `/${before.kid}`)).statusCode,
      (status) => status === 204,
      5000,
    );
    expect((await jwks('a')).keys.map((k) => k.kid)).not.toContain(before.kid);
    await expect(jwtVerify(oldToken, createLocalJWKSet(await jwks('a')))).rejects.toThrow();
    const history = (await call('a', 'GET', '/history')).json() as { keys: KeyView[] };
    expect(history.keys.find((k) => k.kid === before.kid)).toMatchObject({ status: 'revoked' });
    expect(history.keys.find((k) => k.kid === before.kid)!.revoked_at).toBeGreaterThan(0);
    // and the private key is gone from the token
    await expect(s.keyStores.for('pkcs11').sign(tenants.a.tid, before, Buffer.from('x.y'))).rejects.toThrow();
  });

  it('generates a fresh set, revoking compromised keys at once', async () => {
    const old = (await jwks('b')).keys.map((k) => k.kid!);
    const res = await call('b', 'POST', '/generate', {
      form: 'revoke_all_active_as_compromised=true&no_ec=true&no_eddsa=true',
    });
    expect(res.statusCode).toBe(200);
    const made = (res.json() as { keys: KeyView[] }).keys;
    expect(made.map((k) => k.alg).sort()).toEqual(['RS256', 'RSA-OAEP-256']);
    expect(made.every((k) => k.status === 'active')).toBe(true);
    const now = (await jwks('b')).keys.map((k) => k.kid!);
    const rsOld = await s.db
      .selectFrom('tenant_keys')
      .select(['kid', 'alg'])
      .where('tid', '=', tenants.b.tid)
      .where('kid', 'in', old)
      .execute();
    for (const key of rsOld) {
      if (key.alg === 'RS256' || key.alg === 'RSA-OAEP-256') expect(now).not.toContain(key.kid);
      else expect(now).toContain(key.kid); // ES256 and EdDSA were not part of this set
    }
    expect((await call('b', 'POST', '/generate', { form: 'rsa=1024' })).statusCode).toBe(400);
    expect((await call('b', 'POST', '/generate', { form: 'rsa=2048&rsa=4096' })).statusCode).toBe(400);
  });

  it('keeps tenants apart: nothing of tenant B is reachable through tenant A', async () => {
    const kidsOfB = (await jwks('b')).keys.map((k) => k.kid!);
    const aKeys = ((await call('a', 'GET', '/history')).json() as { keys: KeyView[] }).keys.map((k) => k.kid);
    for (const kid of kidsOfB) {
      expect(aKeys).not.toContain(kid);
      expect((await call('a', 'DELETE', `/${kid}`)).statusCode).toBe(404);
      await expect(
        s.keyStores.for('pkcs11').sign(tenants.a.tid, { kid, alg: 'RS256' }, Buffer.from('x.y')),
      ).rejects.toBeInstanceOf(KeyNotFoundError);
    }
    // B's token is refused under A's issuer too
    expect((await call('a', 'POST', '/rotate', { token: tenants.b.token, form: '' })).statusCode).toBe(401);
    expect((await jwks('b')).keys.map((k) => k.kid)).toEqual(expect.arrayContaining(kidsOfB));
  });

  it('answers 503 for a tenant whose PIN the HSM refuses, without the PKCS#11 message (logged instead), while another tenant keeps working', async () => {
    const row = await s.db
      .selectFrom('tenant_hsm_tokens')
      .selectAll()
      .where('tid', '=', tenants.b.tid)
      .executeTakeFirstOrThrow();
    const wrong = s.masterKey.seal(Buffer.from('not-the-pin'), `tessera:hsm-pin:user:${tenants.b.tid}`);
    await s.db
      .updateTable('tenant_hsm_tokens')
      .set({ user_pin_sealed: wrong })
      .where('tid', '=', tenants.b.tid)
      .execute();
    s.keyStores.forgetTenant(tenants.b.tid);
    // the test process's own sessions on B's token are still logged in; use a fresh data-plane process
    const node = await startPlane('data-plane', {});
    try {
      const rotate = (who: 'a' | 'b') =>
        fetch(`${node.url}/key-store/rest/v1/op/rotate`, {
          method: 'POST',
          headers: {
            'tenant-id': tenants[who].tid,
            authorization: `Bearer ${tenants[who].token}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'no_eddsa=true&no_ec=true',
        });
      const refused = await rotate('b');
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      const body = (await refused.json()) as { error: string; error_description: string };
      expect(body.error).toBe('temporarily_unavailable');
      expect(body.error_description).toBe('The key store is temporarily unavailable');
      expect(JSON.stringify(body)).not.toMatch(/CKR_|PKCS|PIN|HSM|tessera-/i);
      // The operator reads what happened in the log, with the request id.
      const logged = await eventually(
        () => node.output(),
        (out) => /refused its PIN ← CKR_PIN_INCORRECT/.test(out),
      );
      expect(logged).toMatch(
        /"reqId":"[^"]+".*"detail":"the HSM token \S+ refused its PIN ← CKR_PIN_INCORRECT \(160\)"/,
      );
      expect((await rotate('a')).status).toBe(200);
      expect((await fetch(`${node.url}/jwks.json`, { headers: { 'tenant-id': tenants.b.tid } })).status).toBe(200);
      expect(node.child.exitCode).toBeNull();
    } finally {
      await node.stop();
      await s.db
        .updateTable('tenant_hsm_tokens')
        .set({ user_pin_sealed: row.user_pin_sealed })
        .where('tid', '=', tenants.b.tid)
        .execute();
    }
  }, 30_000);

  it('reports an unusable HSM in the health check, answers 503 for HSM tenants and serves software tenants', async () => {
    const node = await startPlane(
      'data-plane',
      { PKCS11_MODULE: '/nonexistent/libpkcs11.so' },
      { expectHealthy: false },
    );
    try {
      const health = await fetch(`${node.url}/monitor/v1/healthcheck`);
      expect(health.status).toBe(503);
      expect(((await health.json()) as { hsm: { healthy: boolean } }).hsm.healthy).toBe(false);
      const rotate = (who: 'a' | 'soft') =>
        fetch(`${node.url}/key-store/rest/v1/op/rotate`, {
          method: 'POST',
          headers: {
            'tenant-id': tenants[who].tid,
            authorization: `Bearer ${tenants[who].token}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'no_eddsa=true&no_ec=true',
        });
      const refused = await rotate('a');
      expect(refused.status).toBe(503);
      // Neither the answer nor the public health check names the module or its error.
      expect(await refused.text()).not.toMatch(/nonexistent|libpkcs11|PKCS/i);
      expect(JSON.stringify(await (await fetch(`${node.url}/monitor/v1/healthcheck`)).json())).not.toMatch(
        /nonexistent|libpkcs11|PKCS/i,
      );
      await eventually(
        () => node.output(),
        (out) => /"detail":"the PKCS#11 module \/nonexistent\/libpkcs11\.so cannot be used/.test(out),
      );
      expect((await rotate('soft')).status).toBe(200);
      expect((await fetch(`${node.url}/jwks.json`, { headers: { 'tenant-id': tenants.a.tid } })).status).toBe(200);
      expect(node.child.exitCode).toBeNull();
    } finally {
      await node.stop();
    }
  }, 30_000);
});
