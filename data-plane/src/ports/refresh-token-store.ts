/** The stored state of one identifier refresh token. */
export interface RefreshTokenRow {
  /** SHA-256 (hex) of the token: how the row is named to `markUsed` and `markRotated`. */
  tokenHash: string;
  authorizationId: string;
  issuedAt: Date;
  expiresAt: Date | null;
  lastUsedAt: Date | null;
  rotatedAt: Date | null;
}

/**
 * Identifier refresh tokens of persisted (long-lived) authorisations.
 *
 * Contract:
 * - `issue` mints an HMAC-tagged identifier (purpose `rt`, the tenant's
 *   identifier key) and keeps only its SHA-256, pointing at an existing
 *   authorisation (it throws when no authorisation has that id); `issuedAt`
 *   is the store's clock. To persist an authorisation and its first token
 *   together, use `AuthorizationStore.upsertWithRefreshToken`.
 * - `find` returns null for a token failing its tag (without reading the
 *   store), an unknown token, or another tenant's. It returns expired,
 *   idle and rotated rows as they are: judging them is the refresh rule's job.
 * - `markRotated` is atomic: of concurrent calls for one token exactly one
 *   returns true; it also records the use. `markUsed` records a use only.
 * - A token lives as long as its authorisation: deleting the authorisation
 *   (any `AuthorizationStore` delete) deletes its refresh tokens.
 */
export interface RefreshTokenStore {
  issue(tid: string, hmacKey: Uint8Array, authorizationId: string, expiresAt: Date | null): Promise<string>;
  find(tid: string, hmacKey: Uint8Array, token: string): Promise<RefreshTokenRow | null>;
  markUsed(tokenHash: string, at: Date): Promise<void>;
  markRotated(tokenHash: string, at: Date): Promise<boolean>;
}
