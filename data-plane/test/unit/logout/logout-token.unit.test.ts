import { createHash } from 'node:crypto';
import { localSubjectOf } from '@tessera/shared/tokens/pairwise';
import { compactDecrypt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  BACKCHANNEL_LOGOUT_EVENT,
  LOGOUT_TOKEN_LIFETIME,
  logoutTokenClaims,
  logoutTokenFor,
} from '../../../src/logout/logout-token.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';
import { verifyWithPublishedKeys } from '../support/published-keys.ts';

// logout/logout-token.ts: the logout token of OpenID Connect Back-Channel Logout 1.0 §2.4.

const SID = 'a'.repeat(64);
const SECRET = 'client-secret-for-hmac-and-key-wrap';

describe('logout token claims', () => {
  it('are iss, aud, iat, exp five minutes on, jti, the back-channel logout event, sub and sid; never a nonce', () => {
    const claims = logoutTokenClaims(
      { iss: 'https://op.example', aud: 'app', sub: 'alice', sid: SID, jti: 'j-1' },
      1000,
    );
    expect(claims).toEqual({
      iss: 'https://op.example',
      aud: 'app',
      iat: 1000,
      exp: 1000 + 300,
      jti: 'j-1',
      events: { 'http://schemas.openid.net/event/backchannel-logout': {} },
      sub: 'alice',
      sid: SID,
    });
    expect(LOGOUT_TOKEN_LIFETIME).toBe(300);
    expect(BACKCHANNEL_LOGOUT_EVENT).toBe('http://schemas.openid.net/event/backchannel-logout');
    expect(claims).not.toHaveProperty('nonce');
  });
});

describe('logout tokens for a client', () => {
  it('are signed like its ID tokens with a published key, typ logout+jwt, from the primary issuer, by the clock', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const client = await registerClient(plane, tenant, {
      metadata: { id_token_signed_response_alg: 'EdDSA', backchannel_logout_uri: 'https://app.example/bcl' },
    });
    const jws = await logoutTokenFor(tenant, plane.deps, client, { sub: 'alice', sidHash: SID, jti: 'j-1' });
    const { header, claims } = await verifyWithPublishedKeys(plane, tenant, jws);
    const now = Math.floor(plane.clock.now() / 1000);
    expect(header).toMatchObject({
      alg: 'EdDSA',
      typ: 'logout+jwt',
      kid: tenant.keys.find((k) => k.alg === 'EdDSA')!.kid,
    });
    expect(claims).toEqual(
      logoutTokenClaims({ iss: tenant.tenant.issuer, aud: client.clientId, sub: 'alice', sid: SID, jti: 'j-1' }, now),
    );
  });

  it('name a pairwise client’s own subject, which only the tenant can map back', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const client = await registerClient(plane, tenant, {
      metadata: { subject_type: 'pairwise', redirect_uris: ['https://rp.example/cb'] },
    });
    const jws = await logoutTokenFor(tenant, plane.deps, client, { sub: 'alice', sidHash: SID, jti: 'j-2' });
    const { claims } = await verifyWithPublishedKeys(plane, tenant, jws);
    expect(claims.sub).not.toBe('alice');
    expect(localSubjectOf(tenant.secrets['subject-enc'], 'rp.example', claims.sub as string)).toBe('alice');
  });

  it('are encrypted where the client registered ID token encryption, and HS256 with its secret where it asked', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const client = await registerClient(plane, tenant, {
      secret: SECRET,
      metadata: { id_token_encrypted_response_alg: 'A128KW', id_token_encrypted_response_enc: 'A256GCM' },
    });
    const jwe = await logoutTokenFor(tenant, plane.deps, client, { sub: 'alice', sidHash: SID, jti: 'j-3' });
    expect(decodeProtectedHeader(jwe)).toMatchObject({ alg: 'A128KW', enc: 'A256GCM', cty: 'JWT' });
    const key = new Uint8Array(createHash('sha256').update(SECRET).digest().subarray(0, 16));
    const inner = Buffer.from((await compactDecrypt(jwe, key)).plaintext).toString('ascii');
    const { header, claims } = await verifyWithPublishedKeys(plane, tenant, inner);
    expect(header.typ).toBe('logout+jwt');
    expect(claims).toMatchObject({ aud: client.clientId, sid: SID, jti: 'j-3' });

    const hmac = await registerClient(plane, tenant, {
      clientId: 'hs',
      secret: SECRET,
      metadata: { id_token_signed_response_alg: 'HS256' },
    });
    const hs = await logoutTokenFor(tenant, plane.deps, hmac, { sub: 'alice', sidHash: SID, jti: 'j-4' });
    expect(decodeProtectedHeader(hs)).toEqual({ alg: 'HS256', typ: 'logout+jwt' });
  });

  it('are never unsigned', async () => {
    const plane = memoryPlane();
    const tenant = await plane.tenant(EC_KEYS);
    const client = await registerClient(plane, tenant, { metadata: { id_token_signed_response_alg: 'none' } });
    await expect(logoutTokenFor(tenant, plane.deps, client, { sub: 'alice', sidHash: SID, jti: 'j' })).rejects.toThrow(
      /always signed/,
    );
  });
});
