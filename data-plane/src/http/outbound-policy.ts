import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/*
 * Where the data plane may connect when it fetches a document a client
 * hosts (jwks_uri, request_uri, sector_identifier_uri). Those URLs are
 * chosen by whoever registers a client, so without a rule a tenant's client
 * could point them at the provider's own network (SSRF): loopback, private
 * ranges, link-local cloud metadata services. Only public addresses are
 * reached unless the deployment allows private ones (`CLIENT_FETCH_PRIVATE=allow`,
 * for development and tests). The check is made on the address actually
 * connected to, after DNS resolution, so a name that resolves (or rebinds)
 * to a private address is refused too.
 */
const NOT_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 127], ['64:ff9b:1::', 48], ['100::', 64], ['2001::', 23], ['2001:db8::', 32],
  ['2002::', 16], ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NOT_PUBLIC.addSubnet(network, prefix, 'ipv6');

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

let allowPrivate = false;

/** Set once at start-up from the settings (`CLIENT_FETCH_PRIVATE`). */
export function allowPrivateClientFetches(allow: boolean): void {
  allowPrivate = allow;
}

export class BlockedAddressError extends Error {}

/** Refuses a URL whose host is a literal address that is not public (names are checked when resolved). */
export function checkLiteralHost(url: URL): void {
  if (allowPrivate) return;
  const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  if (isIP(host) !== 0 && !isPublicAddress(host)) throw new BlockedAddressError(`${host} is not a public address`);
}

/** A DNS lookup for outgoing client fetches that fails on any non-public address. */
export const guardedLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
    if (err) return callback(err, '', 0);
    const usable = allowPrivate ? addresses : addresses.filter((a) => isPublicAddress(a.address));
    if (usable.length === 0) return callback(new BlockedAddressError(`${hostname} resolves to no public address`), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, usable);
    callback(null, usable[0]!.address, usable[0]!.family);
  });
};
