import { createHash, randomBytes } from 'node:crypto';

/** RFC 9126 §2.2: the URN prefix of pushed request URIs. */
export const PAR_URN_PREFIX = 'urn:ietf:params:oauth:request_uri:';

/** A fresh request URI: 256 random bits, since the URI is a bearer reference until used. */
export const newRequestUri = (): string => `${PAR_URN_PREFIX}${randomBytes(32).toString('base64url')}`;

/** Whether a presented URI could be one of ours (checked before any store read). */
export const plausibleRequestUri = (requestUri: string): boolean =>
  requestUri.startsWith(PAR_URN_PREFIX) && requestUri.length <= 200;

/** What stores keep instead of a request URI. */
export const requestUriHash = (requestUri: string): string =>
  createHash('sha256').update(requestUri).digest('base64url');

/** What a pushed request is stored as. */
export interface PushedRecord {
  cid: string;
  params: Record<string, string>;
  /** Expiry, seconds since the epoch: a store's own expiry (a Redis TTL) is only its clean-up. */
  exp: number;
}

/**
 * Pushed authorisation requests (RFC 9126).
 *
 * Contract:
 * - `put` returns a fresh `newRequestUri()`, valid `lifetime` seconds
 *   (default 60) by the store's clock; at rest only its `requestUriHash`.
 * - `take` returns the parameters once: atomically removed, so of two racing
 *   takes one gets them. Null when the URI is not `plausibleRequestUri`,
 *   unknown, expired, already taken, or pushed by another client or tenant
 *   (a take by the wrong client of the right tenant uses it up too).
 */
export interface PushedRequestStore {
  put(
    tid: string,
    clientId: string,
    params: Record<string, string>,
    lifetime?: number,
  ): Promise<{ request_uri: string; expires_in: number }>;
  take(tid: string, clientId: string, requestUri: string): Promise<Record<string, string> | null>;
}
