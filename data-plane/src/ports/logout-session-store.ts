/** One end-session (logout) flow between the end-session request and the end-user's decision. */
export interface LogoutSession {
  /** The issuer URL the flow started under; it cannot change within the flow. */
  issuer: string;
  /** The subject session (SSO cookie value) the browser had; absent when it had none. */
  subSid?: string;
  /** The relying party the request identified (`client_id` or the `id_token_hint`'s audience). */
  clientId?: string;
  /** The validated `post_logout_redirect_uri`, `state` already appended. */
  postLogoutRedirectUri?: string;
  /** RP-initiated (an end-session request) or OP-initiated (the IdP's own call). */
  initiator: 'rp' | 'op';
  uiLocales?: string[];
  createdAt: number;
}

/** A logout session's life unless the caller says otherwise: Connect2id's `op.logout.sessionLifetime` (10 min). */
export const LOGOUT_SESSION_LIFETIME = 600;

/**
 * Logout sessions (the confirmation step of RP-initiated logout).
 *
 * Contract:
 * - Ids are HMAC-tagged identifiers (purpose `lgs`): a forged or other
 *   tenant's id fails `take` without a store read. At rest the
 *   session is keyed by the SHA-256 of its id, and the subject session id
 *   in it (an SSO credential) is sealed under a key derived from the id
 *   (stores/id-seal.ts), so the store alone cannot reveal it.
 * - A session lives `ttl` seconds from `create`.
 * - `take` removes and returns it atomically: a decision is made exactly
 *   once even when two requests race (one gets the session, the other null).
 * - Tenant isolation: a session is never found through another tenant's id.
 */
export interface LogoutSessionStore {
  create(tid: string, hmacKey: Uint8Array, session: LogoutSession, ttl: number): Promise<string>;
  take(tid: string, hmacKey: Uint8Array, sid: string): Promise<LogoutSession | null>;
}
