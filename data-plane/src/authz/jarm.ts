import { createHash } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK, type CompactJWEHeaderParameters, type JWK } from 'jose';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { signCompactJws } from '@tessera/shared/keys/jws';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import type { KeyAlgorithm } from '@tessera/shared/keys/key-store';
import { fetchLimited } from '../http/fetch-limited.ts';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** JARM §2.1: the response JWT is short-lived; ten minutes is the recommended maximum, one is plenty for a redirect. */
const LIFETIME_SECONDS = 60;
const HMAC_ALGS = new Set(['HS256', 'HS384', 'HS512']);
const CEK_BYTES: Record<string, number> = { A128GCM: 16, A192GCM: 24, A256GCM: 32, 'A128CBC-HS256': 32, 'A192CBC-HS384': 48, 'A256CBC-HS512': 64 };
const KW_BYTES: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };

export const JARM_SIGNING_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'HS256', 'HS384', 'HS512'] as const;
export const JARM_ENCRYPTION_ALGS = ['RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW', 'A128KW', 'A192KW', 'A256KW', 'dir'] as const;
export const JARM_ENCRYPTION_ENCS = Object.keys(CEK_BYTES);

/** Errors here are the server's (a client registered something it cannot be answered with): never shown as the client's fault. */
const unusable = (description: string) => new HttpError(500, 'server_error', description);

/** OpenID Connect Core §10.2: a symmetric key from the client secret, the left-most bytes of its SHA-2 digest. */
function secretKey(secret: string, bytes: number): Uint8Array {
  const hash = bytes <= 32 ? 'sha256' : bytes <= 48 ? 'sha384' : 'sha512';
  return new Uint8Array(createHash(hash).update(secret, 'utf8').digest().subarray(0, bytes));
}

/** The client's encryption keys: `jwks`, or `jwks_uri` (https, 5 s, 100 kB). */
async function encryptionKeys(client: Client): Promise<JWK[]> {
  if (client.metadata.jwks) return client.metadata.jwks.keys as JWK[];
  if (!client.metadata.jwks_uri) throw unusable('The client registered no keys to encrypt the response to');
  try {
    const { body } = await fetchLimited(client.metadata.jwks_uri, { timeoutMs: 5000, maxBytes: 100_000, accept: 'application/jwk-set+json, application/json' });
    const keys = (JSON.parse(body) as { keys?: unknown }).keys;
    if (!Array.isArray(keys)) throw new Error('no keys');
    return keys as JWK[];
  } catch {
    throw unusable('The client jwks_uri could not be retrieved');
  }
}

async function sign(context: TenantContext, deps: DataPlaneDeps, client: Client, alg: string, payload: Record<string, unknown>): Promise<string> {
  if (HMAC_ALGS.has(alg)) {
    if (!client.secret) throw unusable(`${alg} needs a client secret`);
    return new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg, typ: 'JWT' }).sign(Buffer.from(client.secret, 'utf8'));
  }
  const key = currentKey(context.keys, alg as KeyAlgorithm);
  if (!key) throw unusable(`The tenant has no active ${alg} signing key`);
  return signCompactJws(deps.keyStores.for(key.backend), context.tenant.tid, key, payload, { typ: 'JWT' });
}

async function encrypt(client: Client, jws: string, alg: string, enc: string): Promise<string> {
  if (!(JARM_ENCRYPTION_ALGS as readonly string[]).includes(alg) || !(enc in CEK_BYTES)) throw unusable(`Unsupported response encryption ${alg} / ${enc}`);
  const header: CompactJWEHeaderParameters = { alg, enc, cty: 'JWT' };
  let key: Uint8Array | Awaited<ReturnType<typeof importJWK>>;
  if (alg === 'dir' || alg in KW_BYTES) {
    if (!client.secret) throw unusable(`${alg} needs a client secret`);
    key = secretKey(client.secret, alg === 'dir' ? CEK_BYTES[enc]! : KW_BYTES[alg]!);
  } else {
    const rsa = alg.startsWith('RSA');
    const jwk = (await encryptionKeys(client)).find(
      (k) => (k.use === undefined || k.use === 'enc') && (k.alg === undefined || k.alg === alg) && (rsa ? k.kty === 'RSA' : k.kty === 'EC' || k.kty === 'OKP'),
    );
    if (!jwk) throw unusable(`The client has no public key for ${alg}`);
    if (jwk.kid) header.kid = jwk.kid;
    key = await importJWK(jwk, alg);
  }
  return new CompactEncrypt(Buffer.from(jws, 'ascii')).setProtectedHeader(header).encrypt(key);
}

/**
 * A JARM response (JWT Secured Authorization Response Mode, §2): the
 * authorisation response parameters (or error) in a JWT with `iss`, `aud`
 * = client_id and a short `exp`, signed with the tenant's key for the
 * client's `authorization_signed_response_alg` (RS256 by default; HS* with
 * its secret) and, where it registered `authorization_encrypted_response_alg`,
 * encrypted to it (nested JWT; `enc` defaults to A128CBC-HS256).
 */
export async function encodeJarmResponse(args: { tenant: TenantContext; issuer: string; client: Client; params: Record<string, string>; deps: DataPlaneDeps }): Promise<string> {
  const { tenant, issuer, client, params, deps } = args;
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { ...params, iss: issuer, aud: client.clientId, exp: now + LIFETIME_SECONDS, iat: now };
  const alg = (client.metadata.authorization_signed_response_alg as string | undefined) ?? 'RS256';
  const jws = await sign(tenant, deps, client, alg, payload);
  const encAlg = client.metadata.authorization_encrypted_response_alg as string | undefined;
  if (!encAlg) return jws;
  return encrypt(client, jws, encAlg, (client.metadata.authorization_encrypted_response_enc as string | undefined) ?? 'A128CBC-HS256');
}
