import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** A subject session that has just ended, as the logout notifications need it. */
export interface EndedSession {
  /** The SHA-256 (hex) of the session id: the `sid` of ID tokens, logout tokens and front-channel URLs. */
  sidHash: string;
  session: SubjectSession;
  /** Why it ended (audit, events). */
  cause: 'rp_logout' | 'op_logout' | 'session_store_api' | 'user_deleted' | 'expired';
}

/**
 * Tell the relying parties of an ended session (Back-Channel Logout 1.0):
 * every client in `clients` (default: the session's `rps`) that registered a
 * `backchannel_logout_uri` gets a logout token, delivered in the background.
 * Every path that ends a subject session calls this once, after the store
 * confirmed the end.
 */
export async function announceSessionEnded(
  _deps: DataPlaneDeps,
  _context: TenantContext,
  _ended: EndedSession,
  _clients?: readonly string[],
): Promise<void> {
  // Filled in by the back-channel logout work (issue 15, item 5).
}
