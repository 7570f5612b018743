import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { type CookieSink, type CookieSource, cookieOptions, readCookie, setCookie } from './cookies.ts';

/**
 * CSRF protection of the hosted forms, "signed double submit": the browser
 * holds a random value in an HttpOnly cookie, and every form carries an
 * HMAC (tenant key) over that value and the authorisation session id. A
 * page of another site can neither read the cookie nor forge the token,
 * and a token only works for the session it was issued with, in the
 * browser that started it.
 */
const COOKIE = 'tessera_csrf';

const tag = (key: Uint8Array, browser: string, sid: string) =>
  createHmac('sha256', key).update(`csrf\u0000${browser}\u0000${sid}`).digest('base64url');

/** The browser's CSRF value, set now if it has none. */
export function browserValue(request: CookieSource, answer: CookieSink): string {
  const existing = readCookie(request, COOKIE);
  if (existing && /^[A-Za-z0-9_-]{43}$/.test(existing)) return existing;
  const fresh = randomBytes(32).toString('base64url');
  setCookie(answer, request.issuer, COOKIE, fresh, cookieOptions(request.issuer));
  return fresh;
}

export function csrfToken(key: Uint8Array, browser: string, sid: string): string {
  return tag(key, browser, sid);
}

export function csrfValid(request: CookieSource, key: Uint8Array, sid: string, token: string | undefined): boolean {
  const browser = readCookie(request, COOKIE);
  if (!browser || !token) return false;
  const expected = Buffer.from(tag(key, browser, sid));
  const given = Buffer.from(token);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
