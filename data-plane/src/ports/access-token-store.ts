import type { Authorization } from '@tessera/shared/authz/authorization';

/** What an identifier access token stands for. */
export interface IdentifierTokenRecord {
  authz: Authorization;
  /** Issuer URL the token was issued under (tokens do not cross aliases). */
  iss: string;
  iat: number;
  /** Expiry, seconds since the epoch. */
  exp: number;
  jti: string;
}

/**
 * Identifier (reference) access tokens and what they stand for.
 *
 * Contract:
 * - At rest only the SHA-256 of the token is kept: a dump of the store
 *   yields no usable token.
 * - `put` keeps the record until `record.exp` (judged by the store's clock,
 *   at least one second); after it `get` returns null.
 * - Tenant isolation: a record put under one tenant is never returned under
 *   another, whatever the token.
 * - `delete` is idempotent; after it `get` returns null.
 */
export interface AccessTokenStore {
  put(tid: string, token: string, record: IdentifierTokenRecord): Promise<void>;
  get(tid: string, token: string): Promise<IdentifierTokenRecord | null>;
  delete(tid: string, token: string): Promise<void>;
}
