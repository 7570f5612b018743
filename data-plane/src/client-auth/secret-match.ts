import { timingSafeEqual } from 'node:crypto';
import type { Client } from '@tessera/shared/clients/client';
import { sha256 as digest } from '@tessera/shared/crypto/sha256';

/** Digests of a client's stored secrets, computed once per cached client object. */
const stored = new WeakMap<Client, { secret?: Buffer; previous?: Buffer }>();
function storedDigests(client: Client) {
  let d = stored.get(client);
  if (!d) {
    d = {
      ...(client.secret ? { secret: digest(client.secret) } : {}),
      ...(client.previousSecret ? { previous: digest(client.previousSecret) } : {}),
    };
    stored.set(client, d);
  }
  return d;
}

/**
 * The client's secrets that are valid now: the current one unless expired,
 * and the previous one during its 30-minute rollover.
 */
export function validSecrets(client: Client, now: Date = new Date()): string[] {
  const secrets: string[] = [];
  if (client.secret && (!client.secretExpiresAt || client.secretExpiresAt > now)) secrets.push(client.secret);
  if (client.previousSecret && client.previousSecretValidUntil && client.previousSecretValidUntil > now)
    secrets.push(client.previousSecret);
  return secrets;
}

/** Constant-time comparison against every valid secret (digests, so lengths do not leak). */
export function secretMatches(client: Client, presented: string, now: Date = new Date()): boolean {
  const given = digest(presented);
  const digests = storedDigests(client);
  let match = false;
  if (digests.secret && (!client.secretExpiresAt || client.secretExpiresAt > now))
    match = timingSafeEqual(given, digests.secret) || match;
  if (digests.previous && client.previousSecretValidUntil && client.previousSecretValidUntil > now)
    match = timingSafeEqual(given, digests.previous) || match;
  return match;
}
