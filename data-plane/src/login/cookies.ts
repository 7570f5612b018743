import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';

export interface CookieOptions {
  path: string;
  secure: boolean;
  /** Seconds; absent = a browser-session cookie. */
  maxAge?: number;
}

/**
 * Cookies of the hosted pages are scoped to the issuer they were set
 * under: its path (so two tenants under one host never see each other's
 * cookies) and a name suffix from the issuer URL (for tenants selected by
 * header on a shared path). Secure whenever the issuer is https.
 */
export function cookieOptions(issuer: string, maxAge?: number): CookieOptions {
  const url = new URL(issuer);
  return { path: url.pathname.replace(/\/+$/, '') || '/', secure: url.protocol === 'https:', ...(maxAge !== undefined ? { maxAge } : {}) };
}

const suffix = (issuer: string) => createHash('sha256').update(issuer).digest('base64url').slice(0, 10);
export const cookieName = (base: string, issuer: string) => `${base}_${suffix(issuer)}`;

export function readCookie(request: FastifyRequest, base: string): string | undefined {
  const name = cookieName(base, request.issuer!);
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

export function setCookie(reply: FastifyReply, base: string, value: string, options: CookieOptions): void {
  const name = cookieName(base, reply.request.issuer!);
  const attrs = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) attrs.push('Secure');
  if (options.maxAge !== undefined) attrs.push(`Max-Age=${options.maxAge}`);
  const previous = reply.getHeader('set-cookie');
  const list = previous === undefined ? [] : Array.isArray(previous) ? previous.map(String) : [String(previous)];
  reply.header('set-cookie', [...list, attrs.join('; ')]);
}
