import type { Client } from '@tessera/shared/clients/client';
import { fetchLimited } from '@tessera/shared/http/fetch-limited';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../ports/clock.ts';

const CACHE_MS = 300_000;
const TIMEOUT_MS = 5000;
const MAX_BYTES = 100_000;
const MAX_ENTRIES = 10_000;

export class ClientJwksError extends Error {}

/**
 * A client's public keys (RFC 7591 §2): its registered `jwks`, or its
 * `jwks_uri` fetched through the client-document fetcher (https, public
 * addresses, 5 s, 100 kB) and cached for five minutes by the data plane's
 * clock. One place for every use — assertion and request-object signatures,
 * encryption to the client. One per data plane (its composition root makes
 * it), so two data planes in one process share no cache.
 */
export class ClientKeySets {
  /** Fetched JWK sets, by tenant, client and URL (a changed jwks_uri is a new entry). */
  readonly #cache = new Map<string, { at: number; jwks: JSONWebKeySet }>();
  /** Fetches in flight, so concurrent requests of one client share one fetch. */
  readonly #inFlight = new Map<string, Promise<JSONWebKeySet>>();
  readonly #policy: OutboundPolicy;
  readonly #clock: Clock;

  constructor(policy: OutboundPolicy, clock: Clock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  async get(client: Client): Promise<JSONWebKeySet> {
    if (client.metadata.jwks) return client.metadata.jwks as JSONWebKeySet;
    const uri = client.metadata.jwks_uri;
    if (!uri) throw new ClientJwksError('The client has no registered keys');
    const key = `${client.tid}\u0000${client.clientId}\u0000${uri}`;
    const cached = this.#cache.get(key);
    if (cached && this.#clock.now() - cached.at < CACHE_MS) return cached.jwks;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = fetchJwks(uri, this.#policy).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const jwks = await pending;
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { at: this.#clock.now(), jwks });
    return jwks;
  }
}

async function fetchJwks(uri: string, policy: OutboundPolicy): Promise<JSONWebKeySet> {
  try {
    const { body } = await fetchLimited(uri, {
      timeoutMs: TIMEOUT_MS,
      maxBytes: MAX_BYTES,
      accept: 'application/jwk-set+json, application/json',
      policy,
    });
    const jwks = JSON.parse(body) as JSONWebKeySet;
    if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) throw new Error('not a JWK set');
    return jwks;
  } catch {
    throw new ClientJwksError('The client jwks_uri could not be retrieved');
  }
}
