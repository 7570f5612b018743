import type { SubjectSession } from '../ports/subject-session-store.ts';

/** A subject session that has just ended, as the logout notifications need it. */
export interface EndedSession {
  /** The SHA-256 (hex) of the session id: the `sid` of ID tokens, logout tokens and front-channel URLs. */
  sidHash: string;
  session: SubjectSession;
  /** Why it ended (audit, events). `replaced`: the browser signed in again, and its new session took the old one's place. */
  cause: 'rp_logout' | 'op_logout' | 'session_store_api' | 'user_deleted' | 'expired' | 'replaced';
}
