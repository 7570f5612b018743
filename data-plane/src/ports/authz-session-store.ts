import type { AuthorizationRequest } from '../authz/authorization-request.ts';

/** Which device request an authorisation session decides (set when a device's user code started it). */
export interface DeviceBinding {
  /** The device request's handle in the store (not the device code). */
  handle: string;
}

/** One login-page flow (authorisation session): the validated request and where it stands. */
export interface AuthzSession {
  /** The issuer URL the flow started under; it cannot change within the flow. */
  issuer: string;
  request: AuthorizationRequest;
  step: 'auth' | 'consent';
  /** The subject session the flow runs in, once there is one. */
  subSid?: string;
  /** Set when this flow created the subject session (the final message returns `sub_sid` so the UI sets its cookie). */
  createdSubSid?: boolean;
  /** SHA-256 of the subject session the browser had when it had to log in again; ended once it has. */
  priorSession?: string;
  /** Scope and claims a remembered consent already covers (shown as `consented` in the prompt). */
  consented?: { scope: string[]; claims: string[] };
  data?: Record<string, unknown>;
  /** A device flow's session (started with a user code): the device request it decides instead of answering a client. */
  device?: DeviceBinding;
  createdAt: number;
}

/**
 * Authorisation sessions (login-page flows).
 *
 * Contract:
 * - Ids are HMAC-tagged identifiers (purpose `azs`): a forged or other
 *   tenant's id fails `get` without a store read. At rest the session is
 *   keyed by the SHA-256 of its id, and the subject session id in it (an
 *   SSO credential) is sealed under a key derived from the id
 *   (stores/authz-session-seal.ts), so the store alone cannot reveal it.
 * - A session lives `ttl` seconds from `create`; `update` replaces it and
 *   keeps that expiry, and returns false (writing nothing) once it is gone.
 * - `take` removes and returns it atomically: a flow ends exactly once even
 *   when two requests race (one gets the session, the other null).
 * - Tenant isolation: a session is never found through another tenant's id.
 */
export interface AuthzSessionStore {
  create(tid: string, hmacKey: Uint8Array, session: AuthzSession, ttl: number): Promise<string>;
  get(tid: string, hmacKey: Uint8Array, sid: string): Promise<AuthzSession | null>;
  update(tid: string, sid: string, session: AuthzSession): Promise<boolean>;
  take(tid: string, sid: string): Promise<AuthzSession | null>;
}
