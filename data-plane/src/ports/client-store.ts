import type { Client, ClientMetadata } from '@tessera/shared/clients/client';

export interface NewClient {
  clientId: string;
  metadata: ClientMetadata;
  secret: string | null;
  /** Instead of a secret (then null): its scrypt hash, kept as given (plugins/client-secret-codec.ts). */
  secretHash?: string;
  secretExpiresAt: Date | null;
  registrationTokenSha256: string | null;
}

export interface ClientChange {
  metadata: ClientMetadata;
  /** A new secret (null: none); the current one becomes the previous one for the rollover period. */
  newSecret?: string | null;
  /** With `newSecret: null`: the new secret's hash instead (it rolls over like a secret). */
  newSecretHash?: string;
  secretExpiresAt?: Date | null;
  registrationTokenSha256?: string | null;
}

/**
 * Registered clients (writes and authoritative reads; hot paths read through
 * a `ClientLookup`). Implemented by shared/src/clients/client-store.ts
 * (PostgreSQL) and ports/memory/memory-client-store.ts.
 *
 * Contract:
 * - `create` returns false, changing nothing, when the client id is taken in
 *   the tenant; ids of other tenants never collide.
 * - `create` with a `limit` (the plan's client quota; null: none) throws
 *   `quota_exceeded` (HttpError 403, shared/src/billing/count-quota.ts) and
 *   creates nothing when the tenant already has `limit` clients; parallel
 *   creations never pass it together.
 * - `update` replaces the metadata; with `newSecret` the current secret
 *   becomes `previousSecret`, valid SECRET_ROLLOVER_MS from now (store's
 *   clock); it returns false when there is no such client.
 * - Secrets come back opened (client_secret_jwt needs them); at rest they are
 *   sealed under the master key, bound to tenant and client id. A secret
 *   given as a hash comes back as `secretHash` (the secret null), and as
 *   `previousSecretHash` after a change. Registration
 *   access tokens are only ever given and kept as SHA-256.
 * - An id that is not printable (NUL, C0 controls) is an unknown client.
 * - `list` returns the tenant's client ids, sorted.
 * - `corsOrigins` returns every origin the tenant's clients registered in
 *   `allowed_cors_origins`, once each, sorted; never another tenant's.
 */
export interface ClientStore {
  get(tid: string, clientId: string): Promise<Client | undefined>;
  list(tid: string): Promise<string[]>;
  corsOrigins(tid: string): Promise<string[]>;
  create(tid: string, input: NewClient, limit?: number | null): Promise<boolean>;
  update(tid: string, clientId: string, input: ClientChange): Promise<boolean>;
  delete(tid: string, clientId: string): Promise<boolean>;
}
