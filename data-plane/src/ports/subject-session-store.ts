/** A subject (SSO) session: who is logged in, since when, for how long. */
export interface SubjectSession {
  sub: string;
  /** Authentication time, seconds since the epoch. */
  authTime: number;
  acr?: string;
  amr?: string[];
  creationTime: number;
  /** Seconds the session may live in all. */
  maxLife: number;
  /** Seconds after `authTime` the session may skip the login page; 0 = as long as it lives. */
  authLife?: number;
  /** Seconds the session may stay unused; 0 = no idle limit. */
  maxIdle?: number;
  /** Last use, seconds since the epoch (idle limit). */
  lastAccess?: number;
  /** Clients (relying parties) that got tokens in this session. */
  rps?: string[];
  /** Claims fed into the ID tokens of this session. */
  claims?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/** Default session life when neither the caller nor the tenant says (direct authorisation). */
export const DEFAULT_SESSION_MAX_LIFE = 8 * 3600;

/** Whether a session is within its maximum life and idle limit at `now` (seconds). */
export function sessionAlive(session: SubjectSession, now: number): boolean {
  if (session.creationTime + session.maxLife <= now) return false;
  if (session.maxIdle && (session.lastAccess ?? session.creationTime) + session.maxIdle <= now) return false;
  return true;
}

/** Seconds until the session ends by its maximum life or idle limit (at least 1): the TTL a store keeps it for. */
export function sessionRemaining(session: SubjectSession, now: number): number {
  let left = session.creationTime + session.maxLife - now;
  if (session.maxIdle) left = Math.min(left, session.maxIdle);
  return Math.max(1, left);
}

/**
 * Subject (SSO) sessions.
 *
 * Contract:
 * - Session ids are HMAC-tagged identifiers (purpose `sid`); a forged id is
 *   refused without reading the store. At rest a session is keyed by the
 *   SHA-256 of its id; `getByHash`, `endByHash` and `listBySubject` speak
 *   in those hashes (the id itself is never listed).
 * - `create` sets `lastAccess` to now (store's clock). A session is returned
 *   only while `sessionAlive` (maximum life, idle limit) by the store's
 *   clock; `touch` records a use (and a relying party, once), restarting
 *   the idle timer, and does not bring back an ended session.
 * - `listBySubject` lists the subject's live sessions only.
 * - `end*` are idempotent: true (or the sessions, by hash) only for what
 *   they ended; `endSubject` returns each session as it was when it ended,
 *   and two concurrent calls never both return the same one (the logout
 *   notices go out once).
 * - Tenant isolation: a session is never found through another tenant's id.
 */
export interface SubjectSessionStore {
  create(tid: string, hmacKey: Uint8Array, session: SubjectSession): Promise<string>;
  get(tid: string, hmacKey: Uint8Array, sid: string): Promise<SubjectSession | null>;
  getByHash(tid: string, hash: string): Promise<SubjectSession | null>;
  touch(tid: string, sid: string, session: SubjectSession, rp?: string): Promise<SubjectSession>;
  listBySubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>>;
  endByHash(tid: string, hash: string): Promise<boolean>;
  end(tid: string, hmacKey: Uint8Array, sid: string): Promise<boolean>;
  endSubject(tid: string, sub: string): Promise<Array<{ id: string; session: SubjectSession }>>;
}
