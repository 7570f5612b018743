const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * The scheme rule of every URL a tenant config names (logo, webhooks, event
 * endpoints, LDAP): `secure` always, `plain` only for a loopback host
 * (development). The problem's message, or undefined when allowed.
 */
export function schemeProblem(url: URL, secure: string, plain: string): string | undefined {
  if (url.protocol === secure) return undefined;
  if (url.protocol === plain && LOOPBACK_HOSTS.has(url.hostname)) return undefined;
  return `must be an ${secure.slice(0, -1)} URL (${plain.slice(0, -1)} only for localhost)`;
}

/** A URL, or undefined when `value` is not an absolute one. */
export function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}
