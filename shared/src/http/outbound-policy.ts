import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction, connect as netConnect, type Socket } from 'node:net';

/*
 * Where the platform may connect when it fetches a URL someone else chose:
 * documents a client hosts (the data plane: jwks_uri, request_uri,
 * sector_identifier_uri) and the HTTP challenge of a custom host a tenant
 * admin names (the control plane). Without a rule such a URL could point
 * into the provider's own network (SSRF): loopback, private ranges,
 * link-local cloud metadata services. Only public addresses are reached
 * unless the deployment allows private ones (`CLIENT_FETCH_PRIVATE=allow`,
 * for development and tests). The check is made on the address actually
 * connected to, after DNS resolution, so a name that resolves (or rebinds)
 * to a private address is refused too.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127],
  ['64:ff9b:1::', 48],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['2002::', 16],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const)
  NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** The IPv4 address an IPv4-mapped (::ffff:0:0/96) or NAT64 (64:ff9b::/96) IPv6 address carries, if it is one. */
function embeddedIpv4(address: string): string | undefined {
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1).toLowerCase(); // e.g. ::ffff:7f00:1
  const match = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!match) return undefined;
  const high = parseInt(match[1]!, 16);
  const low = parseInt(match[2]!, 16);
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** True for an address on the public internet (not loopback, private, link-local, reserved, documentation, multicast). */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (family === 4) return !NOT_PUBLIC.check(address, 'ipv4');
  // IPv4-mapped and NAT64 addresses are judged by the IPv4 address they carry.
  const ipv4 = embeddedIpv4(address);
  return ipv4 !== undefined ? !NOT_PUBLIC.check(ipv4, 'ipv4') : !NOT_PUBLIC.check(address, 'ipv6');
}

export class BlockedAddressError extends Error {}

/** Where outgoing requests to URLs chosen by others may connect. */
export interface OutboundPolicy {
  /** Refuses a URL whose host is a literal address that is not public (names are checked by `lookup`: sockets skip it for literals). */
  checkLiteralHost(url: URL): void;
  /** A DNS lookup for the request's `lookup` option that fails on any non-public address. */
  lookup: LookupFunction;
  /** A TCP connection whose host name goes through `lookup` (for clients that take a `createConnection`, as ldapts does). */
  connect(port: number, host: string): Socket;
}

/** The policy of a deployment (`allowPrivate`: `CLIENT_FETCH_PRIVATE=allow`), made once by each plane's composition root. */
export function outboundPolicy(options: { allowPrivate: boolean }): OutboundPolicy {
  const { allowPrivate } = options;
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const usable = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
      if (usable.length === 0)
        return callback(new BlockedAddressError(`${hostname} resolves to no public address`), '', 0);
      if (lookupOptions.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
      callback(null, usable[0]!.address, usable[0]!.family);
    });
  };
  return {
    checkLiteralHost(url) {
      if (allowPrivate) return;
      const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
      if (isIP(host) !== 0 && !isPublicAddress(host)) throw new BlockedAddressError(`${host} is not a public address`);
    },
    lookup,
    connect(port, host) {
      return netConnect({ port, host, lookup });
    },
  };
}
