/** Tenant ids follow DNS label rules so a tid can be a host name label (as a JSON Schema `pattern` too). */
export const TID_PATTERN = '^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$';
const TID = new RegExp(TID_PATTERN);

export function tidProblem(tid: unknown): string | null {
  if (typeof tid !== 'string') return 'must be a string';
  if (!TID.test(tid))
    return 'must be a DNS label: 1-63 lower-case letters, digits or hyphens, not starting or ending with a hyphen';
  return null;
}

/**
 * Issuer URLs per OpenID Connect Discovery / RFC 8414: https (http only for
 * loopback hosts, for development), no query, no fragment, no trailing slash,
 * no user info. Returns a problem description, or null when the URL is fine.
 */
export function issuerProblem(issuer: unknown): string | null {
  if (typeof issuer !== 'string') return 'must be a string';
  if (issuer.length > 2000) return 'must be at most 2000 characters';
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return 'must be an absolute URL';
  }
  const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return 'must use https (http only for localhost)';
  if (url.username || url.password) return 'must not contain user info';
  if (url.search || issuer.includes('?')) return 'must not contain a query';
  if (url.hash || issuer.includes('#')) return 'must not contain a fragment';
  if (issuer.endsWith('/')) return 'must not end with a slash';
  if (url.toString() !== issuer && url.toString() !== `${issuer}/`)
    return `must be in normal form (${url.toString().replace(/\/$/, '')})`;
  if (url.pathname.split('/').some((seg) => seg === '.well-known')) return 'must not contain a .well-known segment';
  return null;
}
