import { hkdfSync } from 'node:crypto';
import { CompactEncrypt, type CryptoKey, compactDecrypt, compactVerify, importJWK } from 'jose';
import type { Authorization } from '../authz/authorization.ts';
import { ACCESS_TOKEN_CONTENT_ENCRYPTIONS, type ContentEncryption, JOSE_ALGORITHMS } from '../jose/algorithms.ts';
import { constantHeader, signCompactJws } from '../keys/jws.ts';
import type { KeyInfo, KeyRef, KeyStore } from '../keys/key-store.ts';

export type AccessTokenProfile = 'c2id-1.1' | 'c2id-1.0' | 'oauth-1.0';
export type { ContentEncryption };

/** The content encryptions an encrypted access token may use (the JOSE registry's), for the decoder's check. */
const ENCS: ReadonlySet<string> = new Set(ACCESS_TOKEN_CONTENT_ENCRYPTIONS);

/** The `dir` key for `enc`, derived (HKDF-SHA256) from the tenant's access-token encryption secret. */
export function directKey(secret: Uint8Array, enc: ContentEncryption): Uint8Array {
  return new Uint8Array(
    hkdfSync('sha256', secret, Buffer.alloc(0), `tessera access token ${enc}`, JOSE_ALGORITHMS[enc].keyBytes),
  );
}

/**
 * The JWT claims of an access token in one of the three profiles (seed §28.3.1):
 * c2id-1.x use `cid` and a `scp` array; oauth-1.0 (RFC 9068) uses `client_id`,
 * a `scope` string and always an `aud` (the issuer when none was set).
 */
export function accessTokenClaims(
  profile: AccessTokenProfile,
  authz: Authorization,
  meta: { iss: string; iat: number; exp: number; jti: string },
): Record<string, unknown> {
  const rfc = profile === 'oauth-1.0';
  // Released user claims first, so that no registered member below can be overridden by one.
  const claims: Record<string, unknown> = { ...authz.atc, iss: meta.iss, sub: authz.sub };
  if (authz.act) claims.act = authz.act;
  if (rfc) claims.client_id = authz.cid;
  else claims.cid = authz.cid;
  if (authz.aud?.length) claims.aud = authz.aud;
  else if (rfc) claims.aud = [meta.iss];
  // RFC 9449 §6.1: the DPoP key the token is bound to.
  if (authz.cnf) claims.cnf = { jkt: authz.cnf.jkt };
  if (rfc) claims.scope = authz.scp.join(' ');
  else claims.scp = authz.scp;
  claims.iat = meta.iat;
  claims.exp = meta.exp;
  claims.jti = meta.jti;
  if (authz.clm?.length) claims.clm = authz.clm;
  if (authz.cll?.length) claims.cll = authz.cll;
  if (authz.uip && Object.keys(authz.uip).length) claims.uip = authz.uip;
  if (authz.dat && Object.keys(authz.dat).length) claims.dat = authz.dat;
  return claims;
}

const NO_TYP = constantHeader({});
const AT_JWT = constantHeader({ typ: 'at+jwt' });

/** Sign (and optionally encrypt with `dir`) a JWT access token. */
export async function encodeJwtAccessToken(
  store: KeyStore,
  tid: string,
  key: KeyRef,
  profile: AccessTokenProfile,
  claims: Record<string, unknown>,
  encryption?: { secret: Uint8Array; enc: ContentEncryption },
): Promise<string> {
  const header = profile === 'c2id-1.0' ? NO_TYP : AT_JWT;
  const jws = await signCompactJws(store, tid, key, claims, header);
  if (!encryption) return jws;
  return new CompactEncrypt(Buffer.from(jws, 'ascii'))
    .setProtectedHeader({ alg: 'dir', enc: encryption.enc, cty: 'JWT' })
    .encrypt(directKey(encryption.secret, encryption.enc));
}

const imported = new WeakMap<KeyInfo, Promise<CryptoKey | Uint8Array>>();

/**
 * Verify a JWT access token of this tenant: decrypt if it is a JWE, check the
 * signature against the tenant's published signing keys by kid. Returns the
 * claims, or null for anything that is not a valid token of ours (expiry and
 * issuer are the caller's to judge).
 */
export async function decodeJwtAccessToken(
  token: string,
  keys: readonly KeyInfo[],
  secret: Uint8Array | undefined,
): Promise<Record<string, unknown> | null> {
  try {
    let jws = token;
    if (token.split('.').length === 5) {
      if (!secret) return null;
      const header = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as {
        alg?: string;
        enc?: ContentEncryption;
      };
      if (header.alg !== 'dir' || !header.enc || !ENCS.has(header.enc)) return null;
      jws = Buffer.from((await compactDecrypt(token, directKey(secret, header.enc))).plaintext).toString('ascii');
    }
    const header = JSON.parse(Buffer.from(jws.split('.')[0]!, 'base64url').toString()) as {
      kid?: string;
      alg?: string;
      typ?: string;
    };
    const key = keys.find((k) => k.kid === header.kid && k.use === 'sig' && k.alg === header.alg);
    if (!key) return null;
    let cryptoKey = imported.get(key);
    if (!cryptoKey) {
      cryptoKey = importJWK(key.jwk as never, key.alg);
      imported.set(key, cryptoKey);
    }
    const { payload } = await compactVerify(jws, await cryptoKey, { algorithms: [key.alg] });
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
    return typeof claims === 'object' && claims !== null ? claims : null;
  } catch {
    return null;
  }
}
