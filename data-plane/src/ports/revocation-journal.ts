export interface RevocationTarget {
  sub?: string;
  cid?: string;
}

/** Longest an access token can live (tenant config maximum): the fast check must remember revocations that long. */
export const MAX_ACCESS_TOKEN_SECONDS = 86_400 * 30;

/**
 * Revocation of tokens that carry their own authorisation (JWT access
 * tokens, identifier tokens' records, self-contained refresh tokens): a
 * token of (sub, cid) issued at `iat` is revoked when a revocation for its
 * subject, its client, or both was recorded at or after `iat`.
 *
 * Contract:
 * - `revoke` needs a subject, a client or both (it throws otherwise); `at`
 *   defaults to the store's clock. A revocation recorded with an older time
 *   never hides a newer one.
 * - `isRevoked` (the fast check, on every token use) answers for revocations
 *   up to at least MAX_ACCESS_TOKEN_SECONDS old; `isRevokedDurably` for any
 *   age (tokens that can outlive that, such as refresh tokens).
 * - A revocation for (sub) or (cid) alone covers every client or subject;
 *   one for (sub, cid) covers only that pair. Tenants never see each other's.
 */
export interface RevocationJournal {
  revoke(tid: string, target: RevocationTarget, at?: Date): Promise<void>;
  isRevoked(tid: string, sub: string, cid: string, iat: number): Promise<boolean>;
  isRevokedDurably(tid: string, sub: string, cid: string, iat: number): Promise<boolean>;
}
