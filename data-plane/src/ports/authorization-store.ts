import type { Authorization } from '@tessera/shared/authz/authorization';

export interface StoredAuthorization {
  id: string;
  authz: Authorization;
  createdAt: Date;
  updatedAt: Date;
}

export interface AuthorizationFilter {
  sub?: string;
  cid?: string;
}

/**
 * Long-lived authorisations (remembered consent): at most one per tenant,
 * subject and client.
 *
 * Contract:
 * - `upsert` inserts the authorisation of (tid, sub, cid) or replaces it in
 *   place: the id and `createdAt` stay, `updatedAt` moves to now, and its
 *   refresh tokens survive.
 * - `upsertWithRefreshToken` does that and issues a refresh token for it
 *   (as `RefreshTokenStore.issue`) atomically: both or neither.
 * - `find` lists matching authorisations oldest first (at most 1000);
 *   `subjects` and `clients` list distinct values, sorted.
 * - Every delete also deletes the refresh tokens of what it deletes; a
 *   delete with an empty filter throws rather than emptying the tenant.
 * - `deleteBefore(filter, before)`: deletes the matching authorisations last
 *   updated before `before`, and of the matching ones updated since, the
 *   refresh tokens issued before it (a revocation as of `before`).
 * - Tenant isolation: nothing of one tenant is read, listed or deleted
 *   through another tenant's id.
 */
export interface AuthorizationStore {
  upsert(tid: string, authz: Authorization): Promise<string>;
  upsertWithRefreshToken(
    tid: string,
    authz: Authorization,
    refresh: { hmacKey: Uint8Array; expiresAt: Date | null },
  ): Promise<{ id: string; refreshToken: string }>;
  get(tid: string, id: string): Promise<StoredAuthorization | undefined>;
  find(tid: string, filter: AuthorizationFilter): Promise<StoredAuthorization[]>;
  delete(tid: string, filter: AuthorizationFilter & { id?: string }): Promise<StoredAuthorization[]>;
  subjects(tid: string, filter?: { cid?: string }, limit?: number): Promise<string[]>;
  clients(tid: string, filter?: { sub?: string }, limit?: number): Promise<string[]>;
  deleteBefore(tid: string, filter: AuthorizationFilter, before: Date): Promise<StoredAuthorization[]>;
}
