import { createHash } from 'node:crypto';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { algorithmsFor, HMAC_ALGORITHMS, joseAlgorithm } from '@tessera/shared/jose/algorithms';
import { signCompactJws } from '@tessera/shared/keys/jws';
import { currentKey } from '@tessera/shared/keys/key-lifecycle';
import type { KeyAlgorithm } from '@tessera/shared/keys/key-store';
import { CompactEncrypt, type CompactJWEHeaderParameters, CompactSign, importJWK, type JWK } from 'jose';
import type { ClientKeySets } from '../client-auth/client-jwks.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { clockDate } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/**
 * JWTs made for one client (ID tokens, UserInfo responses): signed with the
 * tenant's key for the algorithm the client registered, or with the client
 * secret for HS256/384/512; then, where the client registered it, encrypted
 * to the client (its public key, or a key derived from its secret).
 */

/** From the JOSE registry (shared/src/jose/algorithms.ts). */
export const HMAC_JWS_ALGS: readonly string[] = HMAC_ALGORITHMS;
export const JWE_ALGS = algorithmsFor('client-encryption', 'key-management');
export const JWE_ENCS = algorithmsFor('client-encryption', 'content-encryption');

const bad = (description: string) => new HttpError(400, 'invalid_client_metadata', description);

/** OpenID Connect Core §10.2: a symmetric key is the left-truncated SHA-2 of the client secret, sized to the algorithm. */
export function secretDerivedKey(secret: string, bytes: number): Uint8Array {
  const hash = bytes <= 32 ? 'sha256' : bytes <= 48 ? 'sha384' : 'sha512';
  return new Uint8Array(createHash(hash).update(secret, 'utf8').digest().subarray(0, bytes));
}

/** Sign `payload` with `alg` for `client`: HS* with its secret, anything else with the tenant's active key. */
export async function signForClient(
  context: TenantContext,
  deps: Pick<DataPlaneDeps, 'keyStores' | 'oauth'>,
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
  // The key active by the data plane's clock, as the key store judges it when signing.
  const key = currentKey(context.keys, alg as KeyAlgorithm, clockDate(deps.oauth.clock));
  if (!key) throw new HttpError(500, 'server_error', `The tenant has no active ${alg} signing key`);
  return signCompactJws(deps.keyStores.for(key.backend), context.tenant.tid, key, payload, { typ });
}

/** The client's public keys (registered `jwks`, or `jwks_uri`: see client-auth/client-jwks.ts). */
async function clientPublicKeys(client: Client, keySets: ClientKeySets): Promise<JWK[]> {
  try {
    return (await keySets.get(client)).keys as JWK[];
  } catch {
    throw bad(
      client.metadata.jwks || client.metadata.jwks_uri
        ? 'The client jwks_uri could not be retrieved'
        : 'The client registered no keys to encrypt to',
    );
  }
}

const fitsAlg = (jwk: JWK, alg: string) =>
  (jwk.use === undefined || jwk.use === 'enc') &&
  (jwk.alg === undefined || jwk.alg === alg) &&
  (joseAlgorithm(alg)?.keyTypes as readonly string[] | undefined)?.includes(jwk.kty ?? '') === true;

/** Encrypt `jws` to `client` with `alg`/`enc` (nested JWT, `cty: JWT`). */
export async function encryptForClient(
  client: Client,
  jws: string,
  alg: string,
  enc: string,
  keySets: ClientKeySets,
): Promise<string> {
  if (!JWE_ALGS.includes(alg)) throw bad(`Unsupported JWE algorithm ${alg}`);
  if (!JWE_ENCS.includes(enc)) throw bad(`Unsupported JWE encryption method ${enc}`);
  const header: CompactJWEHeaderParameters = { alg, enc, cty: 'JWT' };
  let key: Uint8Array | Awaited<ReturnType<typeof importJWK>>;
  if (joseAlgorithm(alg)!.clientSecret) {
    if (!client.secret) throw bad(`${alg} needs a client secret, and the client has none`);
    // dir: the content key itself, sized to `enc`; AES key wrap: a key sized to the wrap.
    key = secretDerivedKey(client.secret, joseAlgorithm(alg === 'dir' ? enc : alg)!.keyBytes!);
  } else {
    const jwk = (await clientPublicKeys(client, keySets)).find((k) => fitsAlg(k, alg));
    if (!jwk) throw bad(`The client has no public key for ${alg}`);
    if (jwk.kid) header.kid = jwk.kid;
    key = await importJWK(jwk, alg);
  }
  return new CompactEncrypt(Buffer.from(jws, 'ascii')).setProtectedHeader(header).encrypt(key);
}

/** Sign, then encrypt where the client registered an encryption algorithm (`enc` defaults to A128CBC-HS256, per the specs). */
export async function jwtForClient(
  context: TenantContext,
  deps: Pick<DataPlaneDeps, 'keyStores' | 'clientKeySets' | 'oauth'>,
  client: Client,
  options: { alg: string; encAlg?: string | undefined; enc?: string | undefined; typ: string },
  payload: Record<string, unknown>,
): Promise<string> {
  const jws = await signForClient(context, deps, client, options.alg, payload, options.typ);
  return options.encAlg
    ? encryptForClient(client, jws, options.encAlg, options.enc ?? 'A128CBC-HS256', deps.clientKeySets)
    : jws;
}
