import { Resolver } from 'node:dns/promises';
import { isIP } from 'node:net';
import { fetchLimited } from '@tessera/shared/http/fetch-limited';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';

/*
 * Proof that a tenant controls a custom host before its issuers go there:
 * the control plane hands out a random value, the tenant publishes it in a
 * DNS TXT record `_tessera-challenge.<host name>` or as the body of
 * `<origin>/.well-known/tessera-challenge/<token>` (https; http only for
 * loopback hosts, as for issuers), and the control plane looks — over HTTP
 * at public addresses only unless CLIENT_FETCH_PRIVATE=allow (a loopback
 * host is then for development and tests). Only the outcome is reported,
 * never what a fetch met (no probing of networks).
 */

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);
const HTTP_TIMEOUT_MS = 5000;
const MAX_BODY_BYTES = 1024;

/** A problem with a host as a tenant names it (`host[:port]`, as in an issuer URL), or null. */
export function domainHostProblem(host: string): string | null {
  let url: URL;
  try {
    url = new URL(`https://${host}`);
  } catch {
    return 'must be a host name, optionally with a port';
  }
  // Anything but a bare host (a scheme, path, user info, upper case, a default port) reads back differently.
  if (url.host !== host) return `must be a host name in normal form, without scheme or path (${url.host}?)`;
  return null;
}

const hostnameOf = (host: string) => new URL(`https://${host}`).hostname;

export const challengeTxtName = (host: string): string => `_tessera-challenge.${hostnameOf(host)}`;
export const challengePath = (token: string): string => `/.well-known/tessera-challenge/${token}`;

/** Where the HTTP challenge is looked for. */
export function challengeUrl(host: string, token: string): string {
  const scheme = LOOPBACK.has(hostnameOf(host)) ? 'http' : 'https';
  return `${scheme}://${host}${challengePath(token)}`;
}

/** Whether a TXT record `_tessera-challenge.<host name>` holds `value` (never for an IP address or a loopback name). */
export async function dnsChallengeMet(
  host: string,
  value: string,
  resolver = new Resolver({ timeout: 3000, tries: 2 }),
): Promise<boolean> {
  const hostname = hostnameOf(host);
  if (LOOPBACK.has(hostname) || isIP(hostname.replace(/^\[|\]$/g, '')) !== 0) return false;
  try {
    const records = await resolver.resolveTxt(challengeTxtName(host));
    return records.some((chunks) => chunks.join('') === value);
  } catch {
    return false;
  }
}

/**
 * Whether `challengeUrl(host, token)` answers 200 with `value` as its body (at most 1 KiB, surrounding white space
 * allowed; no redirects followed), connecting only where `policy` allows: the host is the tenant admin's choice, so
 * by default no loopback, private or link-local address (no probing of the provider's network).
 */
export async function httpChallengeMet(
  host: string,
  token: string,
  value: string,
  policy: OutboundPolicy,
): Promise<boolean> {
  try {
    const { body } = await fetchLimited(challengeUrl(host, token), {
      timeoutMs: HTTP_TIMEOUT_MS,
      maxBytes: MAX_BODY_BYTES,
      accept: 'text/plain, */*',
      policy,
      allowHttp: true,
    });
    return body.trim() === value;
  } catch {
    return false;
  }
}

/** How the tenant proved control of `host`, if it did: DNS first, then HTTP. */
export async function proveControl(
  host: string,
  token: string,
  value: string,
  policy: OutboundPolicy,
): Promise<'dns' | 'http' | null> {
  if (await dnsChallengeMet(host, value)) return 'dns';
  if (await httpChallengeMet(host, token, value, policy)) return 'http';
  return null;
}
