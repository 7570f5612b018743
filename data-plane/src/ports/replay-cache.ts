/**
 * What a replay cache remembers: client assertion `jti`s (RFC 7523 §3, per
 * client), used self-contained refresh tokens (their `jti`, for rotation) and
 * DPoP proof `jti`s (RFC 9449 §11.1, per key thumbprint) and JWT bearer grant
 * assertions (RFC 7523 §3, per issuer).
 */
export type ReplayKind = 'client-assertion' | 'refresh-token' | 'dpop-proof' | 'jwt-bearer-grant';

export interface UseRecord {
  /** True for the first use of the id. */
  first: boolean;
  /** When the id was first used, seconds since the epoch (store's clock). */
  usedAt: number;
}

/**
 * Single-use identifiers.
 *
 * Contract:
 * - `use` is atomic: of concurrent calls for one (tid, kind, id) exactly one
 *   gets `first: true`; every call learns when the first use was.
 * - An id is remembered at least until `until` (seconds since the epoch,
 *   store's clock; at least one second from now), and may be forgotten after.
 * - At rest only the SHA-256 of the id is kept. Kinds and tenants never see
 *   each other's ids.
 */
export interface ReplayCache {
  use(tid: string, kind: ReplayKind, id: string, until: number): Promise<UseRecord>;
  /** When the id was first used, or null when it was not (or was forgotten). */
  usedAt(tid: string, kind: ReplayKind, id: string): Promise<number | null>;
}
