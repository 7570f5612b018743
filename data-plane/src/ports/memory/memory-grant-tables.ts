import type { RefreshTokenRow } from '../refresh-token-store.ts';

export interface AuthorizationRow {
  id: string;
  tid: string;
  sub: string;
  cid: string;
  /** The authorisation as JSON (never shared with a caller). */
  record: string;
  createdAt: number;
  updatedAt: number;
}

export interface RefreshTokenEntry {
  tid: string;
  authorizationId: string;
  issuedAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  rotatedAt: number | null;
}

/**
 * The two tables the in-memory authorisation and refresh token stores share,
 * as PostgreSQL's foreign key does: refresh tokens point at an
 * authorisation and go when it goes.
 */
export class MemoryGrantTables {
  readonly authorizations = new Map<string, AuthorizationRow>();
  /** By the token's SHA-256. */
  readonly refreshTokens = new Map<string, RefreshTokenEntry>();

  /** Delete authorisations and, as the cascade does, their refresh tokens. */
  deleteAuthorizations(rows: readonly AuthorizationRow[]): void {
    const ids = new Set(rows.map((row) => row.id));
    for (const id of ids) this.authorizations.delete(id);
    for (const [hash, entry] of this.refreshTokens) if (ids.has(entry.authorizationId)) this.refreshTokens.delete(hash);
  }
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

export const toRefreshTokenRow = (hash: string, entry: RefreshTokenEntry): RefreshTokenRow => ({
  tokenHash: hash,
  authorizationId: entry.authorizationId,
  issuedAt: new Date(entry.issuedAt),
  expiresAt: date(entry.expiresAt),
  lastUsedAt: date(entry.lastUsedAt),
  rotatedAt: date(entry.rotatedAt),
});
