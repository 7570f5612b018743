import { randomUUID } from 'node:crypto';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { dpopNonces } from '../../../src/dpop/dpop-nonce.ts';
import { accessTokenHash } from '../../../src/dpop/dpop-proof.ts';
import { jwkThumbprint } from '../../../src/dpop/jwk-thumbprint.ts';
import { tokenEndpoint } from '../../../src/endpoints/token.ts';
import { userinfoEndpoint } from '../../../src/endpoints/userinfo.ts';
import { inspectAccessToken, introspectionMembers } from '../../../src/oauth/token-inspection.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';
import { basicAuthorization } from '../support/client-auth-input.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { answerBody, coreRequest, formRequest, runRoute } from '../support/core-request.ts';
import { type MemoryPlane, memoryPlane } from '../support/memory-plane.ts';

// RFC 9449 §4.3's checks, each with a proof that fails only it, through the token endpoint's and UserInfo's
// pipelines on memoryPlane (in-memory replay cache, a ManualClock).

const ec = await generateKeyPair('ES256', { extractable: true });
const ecJwk = await exportJWK(ec.publicKey);
const other = await generateKeyPair('ES256', { extractable: true });
const otherJwk = await exportJWK(other.publicKey);

interface ProofSpec {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  key?: CryptoKey;
  jwk?: JWK;
}

async function setup(config: Record<string, unknown> = {}) {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS, ...config });
  await registerClient(plane, tenant, {
    clientId: 'svc',
    secret: 'svc-secret',
    metadata: { grant_types: ['client_credentials'], scope: 'openid read' },
  });
  await registerClient(plane, tenant, {
    clientId: 'bound',
    secret: 'bound-secret',
    metadata: { grant_types: ['client_credentials'], scope: 'read', dpop_bound_access_tokens: true },
  });
  return { plane, tenant, ...calls(plane, tenant) };
}

function calls(plane: MemoryPlane, tenant: TenantContext) {
  const issuer = tenant.tenant.issuer;
  const now = () => Math.floor(plane.clock.now() / 1000);
  /** A proof for POST /token of this tenant, by default; `spec` changes one thing. */
  const proof = (spec: ProofSpec = {}) =>
    new SignJWT({ jti: randomUUID(), htm: 'POST', htu: `${issuer}/token`, iat: now(), ...spec.claims })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'ES256', jwk: spec.jwk ?? ecJwk, ...spec.header })
      .sign(spec.key ?? ec.privateKey);
  const tokenRoute = tokenEndpoint.routes(plane.deps)[0]!;
  const token = (dpop: string | undefined, client = 'svc') =>
    runRoute(
      tokenRoute,
      formRequest(
        tenant,
        '/token',
        { grant_type: 'client_credentials', scope: client === 'svc' ? 'openid read' : 'read' },
        {
          authorization: basicAuthorization(client, `${client}-secret`),
          ...(dpop === undefined ? {} : { dpop }),
        },
      ),
    );
  const userinfoRoute = userinfoEndpoint.routes(plane.deps)[0]!;
  const userinfo = (authorization: string, dpop?: string) =>
    runRoute(
      userinfoRoute,
      coreRequest(tenant, {
        method: 'GET',
        path: '/userinfo',
        headers: { authorization, ...(dpop === undefined ? {} : { dpop }) },
      }),
    );
  return { proof, token, userinfo, now };
}

const refusal = (answer: { status: number; kind: string }, body: Record<string, unknown>) => ({
  status: answer.status,
  ...body,
});

describe('DPoP proofs at the token endpoint', () => {
  it('binds the access token to the proof key: token_type DPoP, cnf.jkt, introspection says so', async () => {
    const { plane, tenant, proof, token } = await setup();
    const { answer } = await token(await proof());
    expect(answer.status).toBe(200);
    const body = answerBody(answer);
    const jkt = jwkThumbprint(ecJwk as Record<string, unknown>);
    expect(body.token_type).toBe('DPoP');
    expect(decodeJwt(body.access_token as string).cnf).toEqual({ jkt });
    const active = await inspectAccessToken(tenant, tenant.tenant.issuer, body.access_token as string, plane.deps);
    expect(introspectionMembers(active!)).toMatchObject({ token_type: 'DPoP', cnf: { jkt } });
  });

  it('issues a bearer token without a proof, and binds identifier tokens too', async () => {
    const plain = await setup();
    expect(answerBody((await plain.token(undefined)).answer).token_type).toBe('Bearer');
    const ids = await setup({ tokens: { accessTokenFormat: 'identifier' } });
    const body = answerBody((await ids.token(await ids.proof())).answer);
    expect(body.token_type).toBe('DPoP');
    const active = await inspectAccessToken(
      ids.tenant,
      ids.tenant.tenant.issuer,
      body.access_token as string,
      ids.plane.deps,
    );
    expect(active?.cnf).toEqual({ jkt: jwkThumbprint(ecJwk as Record<string, unknown>) });
  });

  it('refuses each failed check with invalid_dpop_proof', async () => {
    const { tenant, proof, token, now } = await setup();
    const issuer = tenant.tenant.issuer;
    const { d: _d, ...pub } = (await exportJWK(ec.privateKey)) as JWK & { d?: string };
    const privateJwk = await exportJWK(ec.privateKey);
    const hs = await new SignJWT({ jti: 'x', htm: 'POST', htu: `${issuer}/token`, iat: now() })
      .setProtectedHeader({ typ: 'dpop+jwt', alg: 'HS256', jwk: pub })
      .sign(new Uint8Array(32));
    const good = await proof();
    const [h, p] = good.split('.');
    const cases: Array<[string, string]> = [
      ['not a jwt', 'The DPoP header is not one compact JWS'],
      [`${good}, ${good}`, 'The DPoP header is not one compact JWS'],
      [await proof({ header: { typ: 'JWT' } }), 'The DPoP proof typ must be dpop+jwt'],
      [hs, 'The DPoP proof alg must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA'],
      [
        `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'none', jwk: pub })).toString('base64url')}.${p}.AA`,
        'The DPoP proof alg must be one of RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384, ES512, EdDSA',
      ],
      [await proof({ header: { jwk: undefined } }), 'The DPoP proof has no jwk header'],
      [await proof({ jwk: privateJwk }), 'The DPoP proof jwk must be a public key'],
      [
        `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES384', jwk: pub })).toString('base64url')}.${p}.AA`,
        'The DPoP proof jwk is not on the P-384 curve',
      ],
      [
        `${Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'RS256', jwk: pub })).toString('base64url')}.${p}.AA`,
        'The DPoP proof jwk must have key type RSA for RS256',
      ],
      [await proof({ jwk: otherJwk }), 'The DPoP proof signature does not verify with its jwk'],
      [`${h}.${p}.${Buffer.alloc(64).toString('base64url')}`, 'The DPoP proof signature does not verify with its jwk'],
      [await proof({ claims: { jti: undefined } }), 'The DPoP proof needs a jti of 1 to 256 characters'],
      [await proof({ claims: { htm: 'GET' } }), 'The DPoP proof htm is not POST'],
      [await proof({ claims: { htu: `${issuer}/userinfo` } }), `The DPoP proof htu is not ${issuer}/token`],
      [
        await proof({ claims: { htu: 'https://elsewhere.example/token' } }),
        `The DPoP proof htu is not ${issuer}/token`,
      ],
      [await proof({ claims: { iat: now() - 61 } }), 'The DPoP proof iat is more than 60 seconds from now'],
      [await proof({ claims: { iat: now() + 61 } }), 'The DPoP proof iat is more than 60 seconds from now'],
      [await proof({ claims: { iat: 'now' } }), 'The DPoP proof has no numeric iat'],
    ];
    for (const [dpop, description] of cases) {
      const { answer } = await token(dpop);
      expect(refusal(answer, answerBody(answer)), description).toEqual({
        status: 400,
        error: 'invalid_dpop_proof',
        error_description: description,
      });
    }
  });

  it('compares htu without query and fragment, normalised', async () => {
    const { tenant, proof, token } = await setup();
    const url = new URL(`${tenant.tenant.issuer}/token`);
    const htu = `${url.protocol}//${url.host.toUpperCase()}${url.pathname}?x=1#f`;
    expect((await token(await proof({ claims: { htu } }))).answer.status).toBe(200);
  });

  it('accepts a jti once per tenant and key', async () => {
    const { proof, token } = await setup();
    const dpop = await proof();
    expect((await token(dpop)).answer.status).toBe(200);
    const { answer } = await token(dpop);
    expect(answerBody(answer)).toEqual({
      error: 'invalid_dpop_proof',
      error_description: 'The DPoP proof was used before (its jti)',
    });
    // The same jti from another key is another proof.
    const jti = randomUUID();
    expect((await token(await proof({ claims: { jti } }))).answer.status).toBe(200);
    expect((await token(await proof({ claims: { jti }, key: other.privateKey, jwk: otherJwk }))).answer.status).toBe(
      200,
    );
  });

  it('refuses a client registered for DPoP-bound tokens that sends no proof', async () => {
    const { proof, token } = await setup();
    const { answer } = await token(undefined, 'bound');
    expect(refusal(answer, answerBody(answer))).toEqual({
      status: 400,
      error: 'invalid_request',
      error_description: 'The client is registered for DPoP-bound access tokens: send a DPoP proof',
    });
    expect(answerBody((await token(await proof(), 'bound')).answer).token_type).toBe('DPoP');
  });
});

describe('DPoP server nonces', () => {
  it('asks for a nonce where the tenant requires one, accepts it, and rotates it', async () => {
    const { plane, proof, token } = await setup({ dpop: { requireNonce: true, nonceLifetime: 300 } });
    const first = (await token(await proof())).answer;
    expect(refusal(first, answerBody(first))).toEqual({
      status: 400,
      error: 'use_dpop_nonce',
      error_description: 'A DPoP nonce is required',
    });
    const nonce = first.headers['dpop-nonce'] as string;
    expect(nonce).toMatch(/^[0-9a-z]+\.[A-Za-z0-9_-]+$/);
    const ok = (await token(await proof({ claims: { nonce } }))).answer;
    expect(ok.status).toBe(200);
    expect(ok.headers['dpop-nonce']).toBeUndefined();
    // The next window: the nonce still works, and a fresh one comes with the answer.
    plane.clock.advanceSeconds(300);
    const rotated = (await token(await proof({ claims: { nonce } }))).answer;
    expect(rotated.status).toBe(200);
    expect(rotated.headers['dpop-nonce']).toEqual(expect.any(String));
    expect(rotated.headers['dpop-nonce']).not.toBe(nonce);
    // Two windows on, it is refused.
    plane.clock.advanceSeconds(300);
    const stale = (await token(await proof({ claims: { nonce } }))).answer;
    expect(answerBody(stale)).toEqual({
      error: 'use_dpop_nonce',
      error_description: 'The DPoP nonce is invalid or expired',
    });
    expect(stale.headers['dpop-nonce']).toEqual(expect.any(String));
  });

  it('makes nonces no other tenant accepts', () => {
    const scope = { tid: 'a', secret: new Uint8Array(32).fill(1), lifetime: 300 };
    const nonce = dpopNonces.issue(scope, 1_000_000);
    expect(dpopNonces.check(scope, nonce, 1_000_000)).toBe('current');
    expect(dpopNonces.check({ ...scope, tid: 'b' }, nonce, 1_000_000)).toBe('invalid');
    expect(dpopNonces.check({ ...scope, secret: new Uint8Array(32).fill(2) }, nonce, 1_000_000)).toBe('invalid');
    expect(dpopNonces.check(scope, `${nonce}x`, 1_000_000)).toBe('invalid');
    expect(dpopNonces.check(scope, 'garbage', 1_000_000)).toBe('invalid');
  });
});

describe('DPoP at UserInfo', () => {
  async function boundToken() {
    const s = await setup();
    const body = answerBody((await s.token(await s.proof())).answer);
    const at = body.access_token as string;
    const issuer = s.tenant.tenant.issuer;
    const resourceProof = (spec: ProofSpec = {}) =>
      s.proof({ ...spec, claims: { htm: 'GET', htu: `${issuer}/userinfo`, ath: accessTokenHash(at), ...spec.claims } });
    return { ...s, at, resourceProof };
  }

  it('answers a bound token with a fresh proof of its key, and refuses a replay', async () => {
    const { at, userinfo, resourceProof } = await boundToken();
    const dpop = await resourceProof();
    const ok = (await userinfo(`DPoP ${at}`, dpop)).answer;
    expect(ok.status).toBe(200);
    expect(answerBody(ok).sub).toBe('svc');
    const again = (await userinfo(`DPoP ${at}`, dpop)).answer;
    expect(again.status).toBe(401);
    expect(again.headers['www-authenticate']).toMatch(
      /^DPoP error="invalid_dpop_proof", error_description="The DPoP proof was used before \(its jti\)", algs="RS256 .*EdDSA"$/,
    );
  });

  it("refuses the bound token as a bearer token, without a proof, with another key or another token's ath", async () => {
    const { at, userinfo, resourceProof } = await boundToken();
    const cases: Array<[string, string | undefined, string, string]> = [
      [
        `Bearer ${at}`,
        undefined,
        'invalid_token',
        'The access token is DPoP-bound: send it with the DPoP scheme and a proof',
      ],
      [`DPoP ${at}`, undefined, 'invalid_dpop_proof', 'The DPoP scheme needs a DPoP proof'],
      [
        `DPoP ${at}`,
        await resourceProof({ key: other.privateKey, jwk: otherJwk }),
        'invalid_dpop_proof',
        'The DPoP proof is not made with the key the token is bound to',
      ],
      [
        `DPoP ${at}`,
        await resourceProof({ claims: { ath: accessTokenHash('other') } }),
        'invalid_dpop_proof',
        'The DPoP proof ath does not match the access token',
      ],
      [
        `DPoP ${at}`,
        await resourceProof({ claims: { ath: undefined } }),
        'invalid_dpop_proof',
        'The DPoP proof has no ath for the access token',
      ],
      [
        `DPoP ${at}`,
        await resourceProof({ claims: { htm: 'POST' } }),
        'invalid_dpop_proof',
        'The DPoP proof htm is not GET',
      ],
    ];
    for (const [authorization, dpop, error, description] of cases) {
      const { answer } = await userinfo(authorization, dpop);
      expect({ status: answer.status, challenge: answer.headers['www-authenticate'] }, description).toEqual({
        status: 401,
        challenge: expect.stringMatching(
          new RegExp(`^DPoP error="${error}", error_description="${description.replace(/[()]/g, '\\$&')}", algs="`),
        ),
      });
      expect(answerBody(answer)).toMatchObject({ error, error_description: description });
    }
  });

  it('asks for a nonce at UserInfo with a 401 where the tenant requires one', async () => {
    const s = await setup({ dpop: { requireNonce: true } });
    const first = (await s.token(await s.proof())).answer;
    const nonce = first.headers['dpop-nonce'] as string;
    const at = answerBody((await s.token(await s.proof({ claims: { nonce } }))).answer).access_token as string;
    const issuer = s.tenant.tenant.issuer;
    const claims = { htm: 'GET', htu: `${issuer}/userinfo`, ath: accessTokenHash(at) };
    const noNonce = (await s.userinfo(`DPoP ${at}`, await s.proof({ claims }))).answer;
    expect(noNonce.status).toBe(401);
    expect(noNonce.headers['www-authenticate']).toMatch(/^DPoP error="use_dpop_nonce"/);
    const fresh = noNonce.headers['dpop-nonce'] as string;
    expect((await s.userinfo(`DPoP ${at}`, await s.proof({ claims: { ...claims, nonce: fresh } }))).answer.status).toBe(
      200,
    );
  });
});
