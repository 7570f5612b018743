import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authenticateClient } from '../../../src/client-auth/index.ts';
import { ManualClock } from '../../../src/ports/clock.ts';
import { assertionParams, clientAssertion } from '../support/client-assertion.ts';
import { clientAuthInput } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// private_key_jwt with the tenant's certificate verifier: the key that verified the assertion must carry an x5c
// chain to a trust anchor (built-in) or one the tenant's webhook accepts. Certificates made by the openssl CLI.

interface Pki {
  caPem: string;
  otherCaPem: string;
  leafDer: string;
  caDer: string;
  strangerDer: string;
  leafKey: KeyObject;
}

let dir: string;
let pki: Pki;

function makePki(): Pki {
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  /** `openssl req` with a new P-256 key in `<name>.key`, for the subject CN=<name>. */
  const req = (name: string, ...args: string[]) =>
    run(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-subj',
      `/CN=${name}`,
      ...args,
    );
  const ca = (name: string) =>
    req(
      name,
      '-x509',
      '-out',
      `${name}.pem`,
      '-days',
      '365',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    );
  ca('ca');
  ca('other-ca');
  for (const leaf of ['leaf', 'stranger']) {
    req(leaf, '-out', `${leaf}.csr`);
    run(
      'x509',
      '-req',
      '-in',
      `${leaf}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${leaf}.pem`,
      '-days',
      '30',
    );
  }
  const der = (file: string) => new X509Certificate(readFileSync(join(dir, file))).raw.toString('base64');
  return {
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    otherCaPem: readFileSync(join(dir, 'other-ca.pem'), 'utf8'),
    leafDer: der('leaf.pem'),
    caDer: der('ca.pem'),
    strangerDer: der('stranger.pem'),
    leafKey: createPrivateKey(readFileSync(join(dir, 'leaf.key'))),
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pkjwt-'));
  pki = makePki();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function setup(slot: Record<string, unknown>, x5c: string[] | undefined) {
  const plane = memoryPlane({ clock: new ManualClock(Date.now()) });
  const tenant = await plane.tenant({ ...EC_KEYS, plugins: { privateKeyJwtCertVerifier: slot } });
  const jwk = createPublicKey(pki.leafKey).export({ format: 'jwk' });
  await registerClient(plane, tenant, {
    secret: null,
    metadata: {
      token_endpoint_auth_method: 'private_key_jwt',
      jwks: { keys: [{ ...jwk, kid: 'k1', alg: 'ES256', use: 'sig', ...(x5c ? { x5c } : {}) }] },
    },
  });
  const auth = async () =>
    authenticateClient(
      clientAuthInput(plane, tenant, {
        params: assertionParams(
          await clientAssertion(plane, {
            alg: 'ES256',
            key: pki.leafKey,
            kid: 'k1',
            clientId: 'app',
            audience: tenant.tenant.issuer,
          }),
        ),
      }),
    );
  return { plane, auth };
}

const anchors = (...pems: string[]) => ({ type: 'builtin', trustAnchors: pems });
const invalidClient = (message: string | RegExp) => ({ statusCode: 401, code: 'invalid_client', message });

describe('privateKeyJwtCertVerifier', () => {
  it('built-in: a chain from the client key to a trust anchor, with or without the anchor in x5c, is accepted', async () => {
    await expect((await setup(anchors(pki.caPem), [pki.leafDer])).auth()).resolves.toMatchObject({ clientId: 'app' });
    await expect(
      (await setup(anchors(pki.otherCaPem, pki.caPem), [pki.leafDer, pki.caDer])).auth(),
    ).resolves.toMatchObject({ clientId: 'app' });
  });

  it('built-in: invalid_client without x5c, for another trust anchor, for a certificate of another key, or once expired', async () => {
    await expect((await setup(anchors(pki.caPem), undefined)).auth()).rejects.toMatchObject(
      invalidClient('The client key must carry its X.509 certificate chain (x5c)'),
    );
    await expect((await setup(anchors(pki.otherCaPem), [pki.leafDer])).auth()).rejects.toMatchObject(
      invalidClient('The certificate of the client key does not chain to a trust anchor of the tenant'),
    );
    await expect((await setup(anchors(pki.caPem), [pki.strangerDer])).auth()).rejects.toMatchObject(
      invalidClient('The certificate in x5c is not for the client key'),
    );
    await expect((await setup(anchors(pki.caPem), ['bm90IGEgY2VydA=='])).auth()).rejects.toMatchObject(
      invalidClient(/not a chain of X.509 certificates/),
    );
    const later = await setup(anchors(pki.caPem), [pki.leafDer]);
    later.plane.clock.advance(31 * 86_400_000); // the leaf was made for 30 days
    await expect(later.auth()).rejects.toMatchObject(invalidClient(/expired or is not valid yet/));
  });

  it('webhook: {client_id, x5c} in; {valid: true} accepts, anything else is invalid_client; a failure is 503 (closed)', async () => {
    const hook = { type: 'webhook', url: 'https://hooks.example/certs' };
    const { plane, auth } = await setup(hook, [pki.leafDer, pki.caDer]);
    plane.webhooks.on('privateKeyJwtCertVerifier', () => ({ valid: true }));
    await expect(auth()).resolves.toMatchObject({ clientId: 'app' });
    expect(plane.webhooks.callsOf('privateKeyJwtCertVerifier')[0]!.payload).toEqual({
      client_id: 'app',
      x5c: [pki.leafDer, pki.caDer],
    });
    plane.webhooks.on('privateKeyJwtCertVerifier', () => ({ valid: false }));
    await expect(auth()).rejects.toMatchObject(invalidClient(/not accepted/));
    plane.webhooks.on('privateKeyJwtCertVerifier', () => ({ ok: false, failure: 'timeout', detail: 'slow' }));
    await expect(auth()).rejects.toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
  });

  it('without the slot, a key without x5c authenticates as before', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const jwk = createPublicKey(pki.leafKey).export({ format: 'jwk' });
    await registerClient(plane, tenant, {
      secret: null,
      metadata: { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [{ ...jwk, kid: 'k1', use: 'sig' }] } },
    });
    const jwt = await clientAssertion(plane, {
      alg: 'ES256',
      key: pki.leafKey,
      kid: 'k1',
      clientId: 'app',
      audience: tenant.tenant.issuer,
    });
    await expect(
      authenticateClient(clientAuthInput(plane, tenant, { params: assertionParams(jwt) })),
    ).resolves.toMatchObject({ clientId: 'app' });
    expect(plane.webhooks.calls).toHaveLength(0);
  });
});
