import type { KeyStatus } from '../db/schema.ts';
import type { KeyAlgorithm, KeyInfo } from './key-store.ts';

/**
 * A key's status follows from its timestamps, so it changes on time with no
 * job having to run: pending until `activatedAt`, active until `retiredAt`,
 * then retired (still published, verifies old tokens) until revoked.
 */
export function keyStatus(
  key: { activatedAt: Date; retiredAt: Date | null; revokedAt: Date | null },
  now: Date = new Date(),
): KeyStatus {
  if (key.revokedAt) return 'revoked';
  if (key.retiredAt && key.retiredAt <= now) return 'retired';
  if (key.activatedAt <= now) return 'active';
  return 'pending';
}

/** The newest active key for `alg`: the one that signs now. */
export function currentKey(keys: readonly KeyInfo[], alg: KeyAlgorithm, now: Date = new Date()): KeyInfo | undefined {
  let best: KeyInfo | undefined;
  for (const key of keys) {
    if (key.alg !== alg || keyStatus(key, now) !== 'active') continue;
    if (!best || key.activatedAt > best.activatedAt) best = key;
  }
  return best;
}

/** Whether `key` may be used by a private operation now: signing needs active, decryption any published key. */
export function usableFor(key: KeyInfo, operation: 'sign' | 'decrypt', now: Date = new Date()): boolean {
  const status = keyStatus(key, now);
  if (operation === 'sign') return key.use === 'sig' && status === 'active';
  return key.use === 'enc' && status !== 'revoked';
}
