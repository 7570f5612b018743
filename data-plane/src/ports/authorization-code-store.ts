import type { Authorization } from '@tessera/shared/authz/authorization';

/** What an authorisation code stands for and is bound to. */
export interface CodeRecord {
  authz: Authorization;
  /** Bound to: the client (authz.cid), the redirect URI, PKCE, the issuer (authz.iss). */
  redirectUri: string;
  redirectUriGiven: boolean;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  /** RFC 9449 §10: the DPoP key (JWK thumbprint) the token request must prove. */
  dpopJkt?: string;
  /** For the ID token. */
  nonce?: string;
  authTime?: number;
  acr?: string;
  amr?: string[];
  /** Claims of the subject session and preset ID token claims (the consented ones are read at redemption). */
  sessionClaims?: Record<string, unknown>;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

/** How long a used-code marker is kept: longer than any code lives, so a replay is recognised. */
export const USED_CODE_MEMORY_SECONDS = 900;

/**
 * Authorisation codes.
 *
 * Contract:
 * - `issue` mints an HMAC-tagged identifier (purpose `code`) and keeps the
 *   record under the code's SHA-256 only, for `ttl` seconds.
 * - `get` returns null for a forged code (tag check, no store read), an
 *   unknown one, another tenant's, or one past `record.exp` (store's clock)
 *   or its TTL. Getting does not use the code up: the record stays until it
 *   expires so that a replay can be recognised.
 * - `markUsed` is the single use: atomic, so of concurrent calls for one code
 *   exactly one returns true; later calls return false for at least
 *   USED_CODE_MEMORY_SECONDS. It does not check that the code exists (call
 *   `get` first).
 */
export interface AuthorizationCodeStore {
  issue(tid: string, hmacKey: Uint8Array, record: CodeRecord, ttl: number): Promise<string>;
  get(tid: string, hmacKey: Uint8Array, code: string): Promise<CodeRecord | null>;
  markUsed(tid: string, code: string): Promise<boolean>;
}
