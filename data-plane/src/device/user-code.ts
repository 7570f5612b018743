import { randomInt } from 'node:crypto';

/**
 * User codes of the device flow (RFC 8628 §6.1): typed by a person from a
 * TV or terminal screen, so consonants only — no vowels (no words spelled
 * by chance) and none of the letters easily mistaken (A E I O U Y; no
 * digits at all). 20 letters, 8 of them: 20^8 ≈ 2^34.6 codes, against
 * which the guessing brake (brakes/user-code-brake.ts) allows a handful of
 * tries per address.
 */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** A fresh user code, as stored (no separator). */
export function newUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** As shown to the end-user: XXXX-XXXX. */
export const displayUserCode = (code: string): string => `${code.slice(0, 4)}-${code.slice(4)}`;

/**
 * What the end-user typed, as stored: upper case, without the dashes and
 * spaces people add or copy along (§6.1). Anything that cannot be a code is
 * undefined, so it is never looked up.
 */
export function normaliseUserCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]+/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const c of code) if (!USER_CODE_ALPHABET.includes(c)) return undefined;
  return code;
}
