import { createHash } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK, type CompactJWEHeaderParameters, type JWK } from 'jose';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import { signCompactJws } from '@tessera/shared/keys/jws';
import type { KeyAlgorithm } from '@tessera/shared/keys/key-store';
import { clientJwks } from '../client-auth/client-jwks.ts';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * JWTs made for one client (ID tokens, UserInfo responses): signed with the
 * tenant's key for the algorithm the client registered, or with the client
 * secret for HS256/384/512; then, where the client registered it, encrypted
 * to the client (its public key, or a key derived from its secret).
 */

export const HMAC_JWS_ALGS = ['HS256', 'HS384', 'HS512'] as const;
export const JWE_ALGS = [
  'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512',
  'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW',
  'A128KW', 'A192KW', 'A256KW', 'dir',
] as const;
export const JWE_ENCS = ['A128GCM', 'A192GCM', 'A256GCM', 'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512'] as const;

const ENC_KEY_BYTES: Record<string, number> = { A128GCM: 16, A192GCM: 24, A256GCM: 32, 'A128CBC-HS256': 32, 'A192CBC-HS384': 48, 'A256CBC-HS512': 64 };
const KW_KEY_BYTES: Record<string, number> = { A128KW: 16, A192KW: 24, A256KW: 32 };

const bad = (description: string) => new HttpError(400, 'invalid_client_metadata', description);

/** OpenID Connect Core §10.2: a symmetric key is the left-truncated SHA-2 of the client secret, sized to the algorithm. */
export function secretDerivedKey(secret: string, bytes: number): Uint8Array {
  const hash = bytes <= 32 ? 'sha256' : bytes <= 48 ? 'sha384' : 'sha512';
  return new Uint8Array(createHash(hash).update(secret, 'utf8').digest().subarray(0, bytes));
}

/** Sign `payload` with `alg` for `client`: HS* with its secret, anything else with the tenant's active key. */
export async function signForClient(
  context: TenantContext,
  deps: Pick<DataPlaneDeps, 'keyStores'>,
  client: Client,
  alg: string,
  payload: Record<string, unknown>,
  typ: string,
): Promise<string> {
  if ((HMAC_JWS_ALGS as readonly string[]).includes(alg)) {
    if (!client.secret) throw bad(`${alg} needs a client secret, and the client has none`);
    return new CompactSign(Buffer.from(JSON.stringify(payload)))
      .setProtectedHeader({ alg, typ })
      .sign(Buffer.from(client.secret, 'utf8'));
  }
  const key = currentKey(context.keys, alg as KeyAlgorithm);
  if (!key) throw new HttpError(500, 'server_error', `The tenant has no active ${alg} signing key`);
  return signCompactJws(deps.keyStores.for(key.backend), context.tenant.tid, key, payload, { typ });
}

/** The client's public keys (registered `jwks`, or `jwks_uri`: see client-auth/client-jwks.ts). */
async function clientPublicKeys(client: Client, policy: OutboundPolicy): Promise<JWK[]> {
  try {
    return (await clientJwks(client, policy)).keys as JWK[];
  } catch {
    throw bad(client.metadata.jwks || client.metadata.jwks_uri ? 'The client jwks_uri could not be retrieved' : 'The client registered no keys to encrypt to');
  }
}

const fitsAlg = (jwk: JWK, alg: string) =>
  (jwk.use === undefined || jwk.use === 'enc') &&
  (jwk.alg === undefined || jwk.alg === alg) &&
  (alg.startsWith('RSA') ? jwk.kty === 'RSA' : jwk.kty === 'EC' || jwk.kty === 'OKP');

/** Encrypt `jws` to `client` with `alg`/`enc` (nested JWT, `cty: JWT`). */
export async function encryptForClient(client: Client, jws: string, alg: string, enc: string, policy: OutboundPolicy): Promise<string> {
  if (!(JWE_ALGS as readonly string[]).includes(alg)) throw bad(`Unsupported JWE algorithm ${alg}`);
  if (!(JWE_ENCS as readonly string[]).includes(enc)) throw bad(`Unsupported JWE encryption method ${enc}`);
  const header: CompactJWEHeaderParameters = { alg, enc, cty: 'JWT' };
  let key: Uint8Array | Awaited<ReturnType<typeof importJWK>>;
  if (alg === 'dir' || alg in KW_KEY_BYTES) {
    if (!client.secret) throw bad(`${alg} needs a client secret, and the client has none`);
    key = secretDerivedKey(client.secret, alg === 'dir' ? ENC_KEY_BYTES[enc]! : KW_KEY_BYTES[alg]!);
  } else {
    const jwk = (await clientPublicKeys(client, policy)).find((k) => fitsAlg(k, alg));
    if (!jwk) throw bad(`The client has no public key for ${alg}`);
    if (jwk.kid) header.kid = jwk.kid;
    key = await importJWK(jwk, alg);
  }
  return new CompactEncrypt(Buffer.from(jws, 'ascii')).setProtectedHeader(header).encrypt(key);
}

/** Sign, then encrypt where the client registered an encryption algorithm (`enc` defaults to A128CBC-HS256, per the specs). */
export async function jwtForClient(
  context: TenantContext,
  deps: Pick<DataPlaneDeps, 'keyStores' | 'outbound'>,
  client: Client,
  options: { alg: string; encAlg?: string | undefined; enc?: string | undefined; typ: string },
  payload: Record<string, unknown>,
): Promise<string> {
  const jws = await signForClient(context, deps, client, options.alg, payload, options.typ);
  return options.encAlg ? encryptForClient(client, jws, options.encAlg, options.enc ?? 'A128CBC-HS256', deps.outbound) : jws;
}
