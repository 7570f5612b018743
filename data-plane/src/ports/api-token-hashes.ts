/**
 * A tenant's integration API tokens as the database holds them now. The
 * tenant context carries the hashes it was loaded with, and is reloaded when
 * the control plane announces a change; this port answers for the moment in
 * between, so a token minted a moment ago works at once on every node.
 *
 * Contract:
 * - `current(tid, since)` resolves to the SHA-256 (hex) of every unrevoked
 *   API token of `tid`, as read by a query that began at or after `since`
 *   (epoch ms): a token committed before `since` is in it, one revoked before
 *   `since` is not.
 * - Callers at the same time share one read, and reads of one tenant begin at
 *   most every few tens of milliseconds however many callers ask: a flood of
 *   wrong tokens waits for the next read instead of causing one each.
 * - It rejects when the tokens cannot be read; the caller then refuses the
 *   token it could not confirm.
 */
export interface ApiTokenHashes {
  current(tid: string, since: number): Promise<readonly string[]>;
}
