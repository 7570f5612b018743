import type { ExternalOrigin } from './external-origin.ts';

/**
 * fastify's `trustProxy` for the data plane: `request.ip` is then the peer,
 * or — when the peer is a trusted proxy — the address in X-Forwarded-For
 * that the nearest trusted proxy added, walking right to left past trusted
 * proxies only. The left-most entries are whatever the client wrote and are
 * never believed (the password brake counts per `request.ip`).
 */
export function trustedProxies(origins: ExternalOrigin): (address: string) => boolean {
  return (address) => origins.isTrusted(address);
}
