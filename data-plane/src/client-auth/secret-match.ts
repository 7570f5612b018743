import { createHash, timingSafeEqual } from 'node:crypto';
import type { Client } from '@tessera/shared/clients/client';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * The client's secrets that are valid now: the current one unless expired,
 * and the previous one during its 30-minute rollover.
 */
export function validSecrets(client: Client, now: Date = new Date()): string[] {
  const secrets: string[] = [];
  if (client.secret && (!client.secretExpiresAt || client.secretExpiresAt > now)) secrets.push(client.secret);
  if (client.previousSecret && client.previousSecretValidUntil && client.previousSecretValidUntil > now) secrets.push(client.previousSecret);
  return secrets;
}

/** Constant-time comparison against every valid secret (digests, so lengths do not leak). */
export function secretMatches(client: Client, presented: string): boolean {
  const given = digest(presented);
  let match = false;
  for (const secret of validSecrets(client)) match = timingSafeEqual(given, digest(secret)) || match;
  return match;
}
