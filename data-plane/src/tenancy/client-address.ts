import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import proxyAddr from '@fastify/proxy-addr';

/** Whether a peer address is one of the configured trusted proxies (ExternalOrigin.isTrusted). */
export type TrustedProxy = (address: string) => boolean;

/**
 * The address of the client a request came from: the peer, or — when the
 * peer is a trusted proxy — the address in X-Forwarded-For that the nearest
 * trusted proxy added, walking right to left past trusted proxies only. The
 * left-most entries are whatever the client wrote and are never believed.
 * The same walk as fastify's `request.ip` with `trustProxy` set to the same
 * function (server.ts), so the fastify routes and the fast lanes agree.
 */
export function clientAddress(headers: IncomingHttpHeaders, remoteAddress: string | undefined, trusted: TrustedProxy): string {
  if (headers['x-forwarded-for'] === undefined || !remoteAddress || !trusted(remoteAddress)) return remoteAddress ?? '';
  const hops = proxyAddr.all({ headers, socket: { remoteAddress } } as IncomingMessage, (address) => trusted(address));
  return hops[hops.length - 1] ?? remoteAddress;
}
