import { fetchLimited } from '@tessera/shared/http/fetch-limited';
import { isLoopbackUrl } from '@tessera/shared/http/loopback';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import type { JSONWebKeySet } from 'jose';
import type { Clock } from '../ports/clock.ts';

const CACHE_MS = 300_000;
const TIMEOUT_MS = 5000;
const MAX_BYTES = 100_000;
const MAX_ENTRIES = 1000;

/** A trusted issuer's keys as the tenant config names them (shared/src/config/tenant-config.ts, trustedIssuers). */
export interface IssuerKeySource {
  issuer: string;
  jwksUri?: string | undefined;
  jwks?: { keys: Record<string, unknown>[] } | undefined;
}

export class TrustedIssuerKeysError extends Error {}

/**
 * The public keys of issuers tenants trust (token exchange, JWT bearer
 * assertions): inline, or fetched from the issuer's JWK set URL through the
 * SSRF-guarded fetcher (public addresses; plain http only to a loopback host
 * where the deployment allows private addresses) and cached for five minutes
 * by the data plane's clock. A kid not in the cached set refetches it once a
 * minute at most, so a rotated key is picked up without waiting.
 */
export class TrustedIssuerKeySets {
  readonly #cache = new Map<string, { at: number; jwks: JSONWebKeySet }>();
  readonly #inFlight = new Map<string, Promise<JSONWebKeySet>>();
  readonly #policy: OutboundPolicy;
  readonly #clock: Clock;
  readonly #allowLoopbackHttp: boolean;

  constructor(policy: OutboundPolicy, clock: Clock, options: { allowLoopbackHttp?: boolean } = {}) {
    this.#policy = policy;
    this.#clock = clock;
    this.#allowLoopbackHttp = options.allowLoopbackHttp === true;
  }

  /** The issuer's key set; `kid` (when given and not found in a set older than a minute) forces a refetch. */
  async get(tid: string, source: IssuerKeySource, kid?: string): Promise<JSONWebKeySet> {
    if (source.jwks) return source.jwks as JSONWebKeySet;
    const uri = source.jwksUri;
    if (!uri) throw new TrustedIssuerKeysError('The trusted issuer has no keys');
    const key = `${tid}\u0000${source.issuer}\u0000${uri}`;
    const cached = this.#cache.get(key);
    const age = cached ? this.#clock.now() - cached.at : Infinity;
    const knowsKid = kid === undefined || cached?.jwks.keys.some((k) => k.kid === kid);
    if (cached && age < CACHE_MS && (knowsKid || age < 60_000)) return cached.jwks;
    let pending = this.#inFlight.get(key);
    if (!pending) {
      pending = this.#fetch(uri).finally(() => this.#inFlight.delete(key));
      this.#inFlight.set(key, pending);
    }
    const jwks = await pending;
    if (this.#cache.size >= MAX_ENTRIES) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { at: this.#clock.now(), jwks });
    return jwks;
  }

  async #fetch(uri: string): Promise<JSONWebKeySet> {
    try {
      const { body } = await fetchLimited(uri, {
        timeoutMs: TIMEOUT_MS,
        maxBytes: MAX_BYTES,
        accept: 'application/jwk-set+json, application/json',
        policy: this.#policy,
        allowHttp: this.#allowLoopbackHttp && isLoopbackUrl(uri),
      });
      const jwks = JSON.parse(body) as JSONWebKeySet;
      if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) throw new Error('not a JWK set');
      return jwks;
    } catch {
      throw new TrustedIssuerKeysError("The trusted issuer's JWK set could not be retrieved");
    }
  }
}
