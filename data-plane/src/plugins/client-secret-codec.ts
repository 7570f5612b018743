import { timingSafeEqual } from 'node:crypto';
import type { Client, ClientMetadata } from '@tessera/shared/clients/client';
import { sha256 as digest } from '@tessera/shared/crypto/sha256';
import { HttpError } from '@tessera/shared/http/errors';
import { joseAlgorithm } from '@tessera/shared/jose/algorithms';
import { secretMatches } from '../client-auth/secret-match.ts';
import { hashPassword, verifyPassword } from '../directory/password-hash.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { slotConfigOf } from './slot-config.ts';

/**
 * The tenant's client secret store codec (plugin slot, built-in only: the
 * server needs a sealed secret back for client_secret_jwt and HMAC-signed
 * or secret-encrypted JWTs, so a webhook could not hold it). `sealed` (the
 * default) encrypts new secrets under the master key; `hashed` keeps only a
 * slow hash (scrypt, as the directory's passwords), so such a client can use
 * client_secret_basic and client_secret_post only. Secrets kept before
 * a change of encoding keep working as they are.
 */

export const hashesSecrets = (context: TenantContext): boolean =>
  slotConfigOf(context, 'clientSecretCodec')?.encoding === 'hashed';

/** A new secret as the client store takes it: plain (the store seals it), or only its hash. */
export type EncodedSecret = { secret: string | null; secretHash?: undefined } | { secret: null; secretHash: string };

/** Encode a new secret by the tenant's codec (synchronous when it is sealed, the default). */
export function encodeSecret(context: TenantContext, secret: string | null): EncodedSecret | Promise<EncodedSecret> {
  if (secret === null || !hashesSecrets(context)) return { secret };
  return hashPassword(secret).then((secretHash) => ({ secret: null, secretHash }));
}

/** Metadata members a client with a hashed secret cannot use: they need the secret itself. */
function needsSecretBack(metadata: ClientMetadata): string | undefined {
  if (metadata.token_endpoint_auth_method === 'client_secret_jwt')
    return 'token_endpoint_auth_method client_secret_jwt';
  for (const [name, value] of Object.entries(metadata))
    if (/_alg$/.test(name) && typeof value === 'string' && joseAlgorithm(value)?.clientSecret)
      return `${name} ${value}`;
  return undefined;
}

/** At registration and update: refuse what a hashed secret cannot serve, with the reason. */
export function refuseSecretUse(context: TenantContext, metadata: ClientMetadata): void {
  if (!hashesSecrets(context)) return;
  const member = needsSecretBack(metadata);
  if (member)
    throw new HttpError(
      400,
      'invalid_client_metadata',
      `${member} needs the client secret itself, and this tenant keeps client secrets hashed`,
    );
}

/** At client_secret_jwt authentication: a client whose secret is only hashed cannot verify an HMAC. */
export function refuseHashedForJwt(client: Client): void {
  if (client.secret === null && client.secretHash)
    throw oauthError('invalid_client', 'client_secret_jwt cannot be used: the client secret is kept hashed');
}

/** The hashes valid now: the current one unless expired, the previous one during its rollover. */
function validHashes(client: Client, now: Date): string[] {
  const hashes: string[] = [];
  if (client.secretHash && (!client.secretExpiresAt || client.secretExpiresAt > now)) hashes.push(client.secretHash);
  if (client.previousSecretHash && client.previousSecretValidUntil && client.previousSecretValidUntil > now)
    hashes.push(client.previousSecretHash);
  return hashes;
}

/**
 * Digests of secrets that matched a hash, per cached client object and
 * hash: scrypt is paid once per node and secret, not per request. A new
 * secret is a new client object (the cache is evicted on every change).
 */
const matched = new WeakMap<Client, Map<string, Buffer>>();

async function hashedMatches(client: Client, presented: string, now: Date): Promise<boolean> {
  const given = digest(presented);
  const known = matched.get(client);
  let match = false;
  const pending: Promise<void>[] = [];
  for (const hash of validHashes(client, now)) {
    const seen = known?.get(hash);
    if (seen) match = timingSafeEqual(given, seen) || match;
    else
      pending.push(
        verifyPassword(presented, hash).then((ok) => {
          if (!ok) return;
          match = true;
          let map = matched.get(client);
          if (!map) matched.set(client, (map = new Map()));
          map.set(hash, given);
        }),
      );
  }
  await Promise.all(pending);
  return match;
}

/**
 * Whether `presented` is one of the client's valid secrets, sealed or
 * hashed; constant-time either way. Synchronous for a client without hashed
 * secrets, so the token endpoint's common case takes no await.
 */
export function clientSecretMatches(client: Client, presented: string, now: Date): boolean | Promise<boolean> {
  if (!client.secretHash && !client.previousSecretHash) return secretMatches(client, presented, now);
  if (secretMatches(client, presented, now)) return true;
  return hashedMatches(client, presented, now);
}

/** Whether the client has a secret at all (sealed or hashed). */
export const hasSecret = (client: Client): boolean => client.secret !== null || Boolean(client.secretHash);
