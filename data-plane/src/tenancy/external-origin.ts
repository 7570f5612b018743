import type { IncomingHttpHeaders } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/**
 * The scheme and host a client used, as `http://host[:port]`. X-Forwarded-Proto
 * and X-Forwarded-Host count only when the peer is a configured trusted proxy;
 * from anyone else they are ignored, so a client cannot pick another tenant's
 * issuer by forging them. Of a list (`a, b`, or the header repeated, which
 * node joins the same way) only the right-most value counts: the one the
 * trusted proxy in front of us added; everything to its left came from
 * further away, the client included.
 */
export class ExternalOrigin {
  /** proxy-addr's matcher, the one fastify's `trustProxy` compiles from a list (IPv4-mapped IPv6 included). */
  readonly #trusted: ((address: string, hop: number) => boolean) | undefined;

  constructor(trustedProxies: readonly string[]) {
    try {
      this.#trusted = trustedProxies.length > 0 ? proxyAddr.compile([...trustedProxies]) : undefined;
    } catch (err) {
      throw new Error(`TRUSTED_PROXIES: ${(err as Error).message} (each entry is an IP address or CIDR)`);
    }
  }

  isTrusted(remoteAddress: string | undefined): boolean {
    return this.#trusted !== undefined && !!remoteAddress && this.#trusted(remoteAddress, 0);
  }

  /** Returns null when the request names no usable host. */
  of(headers: IncomingHttpHeaders, remoteAddress: string | undefined, encrypted: boolean): string | null {
    let scheme = encrypted ? 'https' : 'http';
    let host = headers.host;
    if (this.isTrusted(remoteAddress)) {
      const proto = nearest(headers['x-forwarded-proto']);
      if (proto === 'http' || proto === 'https') scheme = proto;
      host = nearest(headers['x-forwarded-host']) ?? host;
    }
    if (!host || !/^[A-Za-z0-9.\-:[\]]+$/.test(host)) return null;
    host = host.toLowerCase();
    if ((scheme === 'http' && host.endsWith(':80')) || (scheme === 'https' && host.endsWith(':443'))) {
      host = host.slice(0, host.lastIndexOf(':'));
    }
    return `${scheme}://${host}`;
  }
}

/**
 * The right-most entry of a forwarded list. Not the entry of the outermost
 * of several trusted proxies, as X-Forwarded-For walks back: proxies that
 * pass X-Forwarded-Host on unchanged instead of appending would make that
 * entry the client's own. Behind several proxies, the one in front of us
 * must send the external host (as fastify's trustProxy reads it too).
 */
function nearest(value: string | string[] | undefined): string | undefined {
  const raw = Array.isArray(value) ? value.join(',') : value;
  if (raw === undefined) return undefined;
  return raw.slice(raw.lastIndexOf(',') + 1).trim() || undefined;
}
