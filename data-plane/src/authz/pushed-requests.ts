import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Client } from '@tessera/shared/clients/client';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** RFC 9126 §2.2: the URN prefix of pushed request URIs. */
export const PAR_URN_PREFIX = 'urn:ietf:params:oauth:request_uri:';

const key = (tid: string, requestUri: string) => `par:${tid}:${createHash('sha256').update(requestUri).digest('base64url')}`;

interface Pushed {
  cid: string;
  params: Record<string, string>;
}

/** Whether a client's authorisation requests must come through PAR (tenant-wide or per client, RFC 9126 §5, §6). */
export const parRequired = (context: TenantContext, client: Client): boolean =>
  context.tenant.config.requests.requirePushed || client.metadata.require_pushed_authorization_requests === true;

/**
 * Pushed authorisation requests (RFC 9126) in Redis: stored under the
 * SHA-256 of their URI (a Redis dump reveals no usable URI), for the
 * tenant's PAR lifetime (60 s by default), bound to tenant and client, and
 * taken once (GETDEL).
 */
export class PushedRequestStore {
  readonly #redis: Redis;

  constructor(redis: Redis) {
    this.#redis = redis;
  }

  async put(tid: string, clientId: string, params: Record<string, string>, lifetime = 60): Promise<{ request_uri: string; expires_in: number }> {
    // 256 random bits: the URI is a bearer reference until used.
    const requestUri = `${PAR_URN_PREFIX}${randomBytes(32).toString('base64url')}`;
    const value: Pushed = { cid: clientId, params };
    await this.#redis.set(key(tid, requestUri), JSON.stringify(value), 'EX', lifetime);
    return { request_uri: requestUri, expires_in: lifetime };
  }

  /** The pushed parameters, once: null when unknown, expired, used, or pushed by another client or tenant. */
  async take(tid: string, clientId: string, requestUri: string): Promise<Record<string, string> | null> {
    if (!requestUri.startsWith(PAR_URN_PREFIX) || requestUri.length > 200) return null;
    const raw = await this.#redis.getdel(key(tid, requestUri));
    if (!raw) return null;
    const pushed = JSON.parse(raw) as Pushed;
    return pushed.cid === clientId ? pushed.params : null;
  }
}
