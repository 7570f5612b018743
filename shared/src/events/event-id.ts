import { randomPooled } from '../crypto/random-pool.ts';

/** Crockford's base32, as ULIDs use it: sorts like the numbers it encodes. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/**
 * A ULID (https://github.com/ulid/spec): 48 bits of milliseconds then 80
 * random bits, 26 characters. Ids made later sort after earlier ones (to the
 * millisecond), so a receiver or the dead-letter list can order by id; the
 * random part makes two nodes' ids distinct without coordination.
 */
export function newEventId(nowMs: number): string {
  let time = '';
  let ms = Math.floor(nowMs);
  for (let i = 0; i < 10; i++) {
    time = ALPHABET[ms % 32]! + time;
    ms = Math.floor(ms / 32);
  }
  // From the pooled buffer: one getrandom call per 400 ids, not one per id (it was 4 % of a token request's CPU).
  const random = randomPooled(10);
  let rest = '';
  // 80 bits as 16 five-bit digits.
  let bits = 0;
  let value = 0;
  for (const byte of random) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      rest += ALPHABET[(value >> bits) & 31];
    }
    value &= (1 << bits) - 1;
  }
  return time + rest;
}

/** A ULID as newEventId makes them (the API's path parameters are checked against it). */
export const EVENT_ID_PATTERN = '^[0-9A-HJKMNP-TV-Z]{26}$';
