import type { IncomingHttpHeaders } from 'node:http';
import type { ExternalOrigin } from './external-origin.ts';
import type { IssuerIndex } from './issuer-index.ts';

export type Resolution =
  | { ok: true; tid: string; issuer: string /** path relative to the issuer, with the query */; url: string }
  | { ok: false; reason: string };

/**
 * Request headers besides the URL that choose the tenant and issuer, for the
 * `Vary` of answers shared caches may keep (RFC 9110 §12.5.5): a cache must
 * not give one tenant's metadata or keys to a request naming another.
 */
export const TENANT_SELECTING_HEADERS = 'Tenant-ID, Issuer, X-Forwarded-Host, X-Forwarded-Proto';

/** RFC 8414 §3.1: metadata of `https://h/p` may be asked for at `https://h/.well-known/<suffix>/p`. */
const WELL_KNOWN = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration'];

function pathOf(issuer: string): string {
  const start = issuer.indexOf('/', issuer.indexOf('//') + 2);
  return start < 0 ? '' : issuer.slice(start);
}

/** The part of `path` below `base` (`/demo/jwks.json` under `/demo` → `/jwks.json`), or null. */
function below(path: string, base: string): string | null {
  if (base === '') return path;
  if (path === base) return '/';
  return path.startsWith(base) && path.charCodeAt(base.length) === 47 /* / */ ? path.slice(base.length) : null;
}

/** The request path relative to `issuer`, for requests that named their tenant in a header. */
function relativeTo(path: string, issuer: string): string {
  const base = pathOf(issuer);
  for (const wellKnown of WELL_KNOWN) if (base !== '' && path === wellKnown + base) return wellKnown;
  return below(path, base) ?? path;
}

export interface RequestFacts {
  url: string;
  headers: IncomingHttpHeaders;
  remoteAddress: string | undefined;
  encrypted: boolean;
}

/**
 * Contract §3: `Tenant-ID` header, else `Issuer` header (exact match of an
 * issuer or alias), else the external URL against every issuer and alias,
 * longest path prefix first (on segment boundaries, so `/demo` never
 * matches `/demonstration`). Synchronous and free of I/O.
 */
export function resolveRequest(facts: RequestFacts, index: IssuerIndex, origins: ExternalOrigin): Resolution {
  const q = facts.url.indexOf('?');
  const path = q < 0 ? facts.url : facts.url.slice(0, q);
  const query = q < 0 ? '' : facts.url.slice(q);

  const tenantId = facts.headers['tenant-id'];
  if (tenantId !== undefined) {
    const tid = Array.isArray(tenantId) ? tenantId.join(',') : tenantId;
    const issuer = index.primaryIssuerOf(tid);
    if (!issuer) return { ok: false, reason: 'Unknown tenant' };
    return { ok: true, tid, issuer, url: relativeTo(path, issuer) + query };
  }

  const issuerHeader = facts.headers.issuer;
  if (issuerHeader !== undefined) {
    const issuer = Array.isArray(issuerHeader) ? issuerHeader.join(',') : issuerHeader;
    const entry = index.byIssuer(issuer);
    if (!entry) return { ok: false, reason: 'The Issuer header names no issuer or alias of any tenant' };
    return { ok: true, tid: entry.tid, issuer, url: relativeTo(path, issuer) + query };
  }

  const origin = origins.of(facts.headers, facts.remoteAddress, facts.encrypted);
  if (!origin) return { ok: false, reason: 'Missing or malformed Host header' };

  for (const wellKnown of WELL_KNOWN) {
    if (path.length > wellKnown.length && path.startsWith(wellKnown) && path.charCodeAt(wellKnown.length) === 47) {
      const issuer = origin + path.slice(wellKnown.length);
      const entry = index.byIssuer(issuer);
      if (entry) return { ok: true, tid: entry.tid, issuer, url: wellKnown + query };
    }
  }

  // Try the whole path, then each shorter prefix ending at a slash, then the bare origin.
  let end = path.length;
  while (end > 0) {
    const issuer = origin + path.slice(0, end);
    const entry = index.byIssuer(issuer);
    if (entry) return { ok: true, tid: entry.tid, issuer, url: (path.slice(end) || '/') + query };
    end = path.lastIndexOf('/', end - 1);
  }
  const entry = index.byIssuer(origin);
  if (entry) return { ok: true, tid: entry.tid, issuer: origin, url: path + query };
  return { ok: false, reason: 'No tenant is served at this URL' };
}
