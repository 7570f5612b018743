/**
 * Identifiers that come from outside (client ids, usernames, subjects) hold
 * no C0 control character, no DEL and no lone UTF-16 surrogate: none of ours
 * contains one, PostgreSQL cannot store NUL in text, and a lone surrogate
 * would be stored as U+FFFD, another identifier. Checked before any query,
 * so such input is simply unknown (or a 400), never a database error.
 * As a JSON-schema `pattern` (Ajv compiles patterns with the `u` flag, where
 * the surrogate range matches only unpaired halves).
 */
export const PRINTABLE_IDENTIFIER_PATTERN = '^[^\\u0000-\\u001f\\u007f\\ud800-\\udfff]*$';

const PRINTABLE = new RegExp(PRINTABLE_IDENTIFIER_PATTERN, 'u');

export function isPrintableIdentifier(value: string): boolean {
  return PRINTABLE.test(value);
}
