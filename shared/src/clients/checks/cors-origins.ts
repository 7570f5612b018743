import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { LOOPBACK_HOSTS } from './uris.ts';
import { stringArray } from './values.ts';

/** Enough for an app's production, staging and development origins; the tenant's origin set stays small. */
export const MAX_CORS_ORIGINS = 50;

/**
 * One web origin a browser app calls the token, UserInfo, revocation and
 * device endpoints from (docs/oauth.md "Browser apps and CORS"): exactly
 * `scheme://host[:port]` as a browser sends it in `Origin` — no path (not
 * even "/"), query, fragment or user information, the default port left
 * out, the host in lower case — https, or http on loopback for development.
 */
function corsOrigin(value: string): string {
  const member = 'allowed_cors_origins';
  const url = /^https?:\/\/[^/?#]/i.test(value) ? URL.parse(value) : null;
  if (url === null) return fail(`every member of ${member} must be an http(s) origin: ${value}`);
  if (url.username || url.password) fail(`${member} must not contain user information: ${value}`);
  if (url.protocol === 'http:' && !LOOPBACK_HOSTS.has(url.hostname))
    fail(`${member} must use https (http only for localhost, 127.0.0.1 or [::1]): ${value}`);
  const origin = url.origin;
  if (value !== origin)
    fail(`${member} takes origins (scheme://host[:port], no path, query or fragment): write ${origin} for ${value}`);
  return origin;
}

/**
 * `allowed_cors_origins` (the member Ory Hydra uses for the same thing): the
 * origins whose pages may call this client's endpoints cross-origin. Absent:
 * none, and browsers get no CORS headers for the client.
 */
export const checkAllowedCorsOrigins: MetadataCheck = (s) => {
  if (!has(s, 'allowed_cors_origins')) return;
  const origins = stringArray(s.body.allowed_cors_origins, 'allowed_cors_origins');
  if (origins.length > MAX_CORS_ORIGINS) fail(`allowed_cors_origins lists more than ${MAX_CORS_ORIGINS} origins`);
  s.metadata.allowed_cors_origins = origins.map(corsOrigin);
};
