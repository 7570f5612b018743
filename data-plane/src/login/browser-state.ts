import { createHmac, randomBytes } from 'node:crypto';
import { type CookieSink, type CookieSource, cookieName, cookieOptions, readCookie, setCookie } from './cookies.ts';

/**
 * The browser state of OpenID Connect Session Management 1.0 (§3): an
 * opaque value in a cookie of the issuer that the check-session iframe
 * (check-session.ts) reads with script, so it is not HttpOnly and, on an
 * https issuer, SameSite=None (the iframe runs inside the RP's page).
 *
 * While the browser has a subject session the value is an HMAC (tenant key)
 * of the issuer and the session id: it changes whenever the session does,
 * reveals nothing of the id, and every node can compute it when it issues a
 * `session_state` (authz/session-state.ts) — in any response mode, JARM
 * included — without storing anything. Logout replaces it with a random
 * value, which no session's value equals.
 */
const COOKIE = 'tessera_bs';

/** The cookie's name under `issuer` (the iframe's script looks it up by name). */
export const browserStateCookie = (issuer: string): string => cookieName(COOKIE, issuer);

/** The browser state of the subject session `subSid` under `issuer`. */
export const browserStateOf = (key: Uint8Array, issuer: string, subSid: string): string =>
  createHmac('sha256', key).update(`browser-state\u0000${issuer}\u0000${subSid}`).digest('base64url');

/** The cookie lives as long as a subject session can (a stale value only makes the iframe answer `changed`). */
const options = (issuer: string, maxAge: number) => ({ ...cookieOptions(issuer, maxAge), readableInFrames: true });

/** Make the browser's state that of the session `subSid` (no Set-Cookie when it already is). */
export function setBrowserState(
  request: CookieSource,
  answer: CookieSink,
  key: Uint8Array,
  subSid: string,
  maxAge: number,
): void {
  const state = browserStateOf(key, request.issuer, subSid);
  if (readCookie(request, COOKIE) !== state)
    setCookie(answer, request.issuer, COOKIE, state, options(request.issuer, maxAge));
}

/** The session ended (logout): a fresh random state, so every `session_state` issued before reads as `changed`. */
export function rotateBrowserState(answer: CookieSink, issuer: string, maxAge: number): void {
  setCookie(answer, issuer, COOKIE, randomBytes(32).toString('base64url'), options(issuer, maxAge));
}
