/**
 * One back-channel logout notice to deliver (OpenID Connect Back-Channel
 * Logout 1.0): which client of which tenant learns that which subject
 * session ended. The logout token itself is made at delivery, from these
 * facts and the tenant's keys then.
 */
export interface BackchannelLogoutJob {
  tid: string;
  clientId: string;
  /** The session's `sid` (SHA-256 hex of the session id). */
  sidHash: string;
  /** The tenant's (local) subject; a pairwise client gets its own at delivery. */
  sub: string;
  /** The logout token's `jti`, also the job's id: a notice is queued once. */
  jti: string;
}

/**
 * Where logout notices wait for delivery. Contract: `enqueue` resolves once
 * every job is durable in the queue all nodes share (so a node killed after
 * a logout answer loses none); a job with the `jti` of one already queued
 * is not queued again; delivery is retried with backoff until it succeeds
 * or its attempts are spent.
 */
export interface BackchannelLogoutQueue {
  enqueue(jobs: readonly BackchannelLogoutJob[]): Promise<void>;
}
