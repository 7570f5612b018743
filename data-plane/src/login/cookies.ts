import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

export interface CookieOptions {
  path: string;
  secure: boolean;
  /** Seconds; absent = a browser-session cookie. */
  maxAge?: number;
  /** Readable by the issuer's own scripts (no HttpOnly) and sent in frames of other sites: the browser-state cookie only. */
  readableInFrames?: boolean;
}

/**
 * Cookies of the hosted pages are scoped to the issuer they were set
 * under: its path (so two tenants under one host never see each other's
 * cookies) and a name suffix from the issuer URL (for tenants selected by
 * header on a shared path). Secure whenever the issuer is https.
 */
export function cookieOptions(issuer: string, maxAge?: number): CookieOptions {
  const url = new URL(issuer);
  return {
    path: url.pathname.replace(/\/+$/, '') || '/',
    secure: url.protocol === 'https:',
    ...(maxAge !== undefined ? { maxAge } : {}),
  };
}

const suffix = (issuer: string) => createHash('sha256').update(issuer).digest('base64url').slice(0, 10);
export const cookieName = (base: string, issuer: string) => `${base}_${suffix(issuer)}`;

/** What cookies are read from: the request's headers and the issuer it is served under. */
export interface CookieSource {
  readonly headers: IncomingHttpHeaders;
  readonly issuer: string;
}

/** Where cookies are set: the answer being built (core/exchange.ts). */
export interface CookieSink {
  header(name: 'set-cookie', value: string): void;
}

export function readCookie(request: CookieSource, base: string): string | undefined {
  const name = cookieName(base, request.issuer);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** Add a Set-Cookie line for `base` under `issuer` (several add up). */
export function setCookie(sink: CookieSink, issuer: string, base: string, value: string, options: CookieOptions): void {
  const attrs = [`${cookieName(base, issuer)}=${value}`, `Path=${options.path}`];
  // Browsers refuse SameSite=None without Secure: an http (loopback development) issuer serves frames of RPs on its own host.
  if (options.readableInFrames) attrs.push(options.secure ? 'SameSite=None' : 'SameSite=Lax');
  else attrs.push('HttpOnly', 'SameSite=Lax');
  if (options.secure) attrs.push('Secure');
  if (options.maxAge !== undefined) attrs.push(`Max-Age=${options.maxAge}`);
  sink.header('set-cookie', attrs.join('; '));
}
