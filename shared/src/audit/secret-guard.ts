/**
 * The last line between a secret and the audit log (docs/audit.md): records
 * are built from explicit fields, and this replaces whatever still looks
 * like a secret before it is stored. A member named like a secret is
 * redacted unless its name says it holds an identifier or a name
 * (`token_id`, `secret_name`); a value shaped like a JWT, a PEM key or a
 * long random string is redacted wherever it is.
 */
export const REDACTED = '[redacted]';

const SECRET_NAME = /secret|password|passwd|token|assertion|private|credential|pin$|^pin|cookie|authorization/i;
const SAFE_SUFFIX = /(?:^|_)(?:ids?|names?|types?|kinds?|counts?|labels?|versions?|purposes?|expires_at|created_at)$/i;

/** JWS/JWE compact serialisations (header `{"…` is `eyJ`). */
const JWT = /^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)?$/;
const PEM = /-----BEGIN [A-Z ]*(?:PRIVATE KEY|SECRET)/;
/** Base64url of 24 random bytes or more, mixing cases and digits: a minted token or secret, never an id of ours. */
const RANDOM = /^[A-Za-z0-9_-]{32,}$/;

export const secretNamed = (name: string): boolean => SECRET_NAME.test(name) && !SAFE_SUFFIX.test(name);

export function secretShaped(value: string): boolean {
  if (JWT.test(value) || PEM.test(value)) return true;
  return RANDOM.test(value) && /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value);
}

/** A copy of `value` with every secret-looking member or value replaced by `[redacted]`. */
export function redactSecrets<T>(value: T): T {
  return redact(value, 0) as T;
}

function redact(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return secretShaped(value) ? REDACTED : value;
  if (value === null || typeof value !== 'object') return value;
  // Deeper than any record we build: cut rather than walk an unexpected structure.
  if (depth > 8) return REDACTED;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, secretNamed(k) ? REDACTED : redact(v, depth + 1)]),
  );
}
