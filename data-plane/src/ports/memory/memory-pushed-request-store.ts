import { type Clock, epochSeconds } from '../clock.ts';
import {
  newRequestUri,
  type PushedRecord,
  type PushedRequestStore,
  plausibleRequestUri,
  requestUriHash,
} from '../pushed-request-store.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, requestUri: string) => `${tid}\u0000${requestUriHash(requestUri)}`;

/** Pushed authorisation requests in memory, under the URI's SHA-256, for the PAR lifetime by the clock, taken once. */
export class MemoryPushedRequestStore implements PushedRequestStore {
  readonly #clock: Clock;
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#map = new ExpiringMap(clock);
  }

  async put(
    tid: string,
    clientId: string,
    params: Record<string, string>,
    lifetime = 60,
  ): Promise<{ request_uri: string; expires_in: number }> {
    const requestUri = newRequestUri();
    this.#map.set(
      key(tid, requestUri),
      JSON.stringify({ cid: clientId, params, exp: epochSeconds(this.#clock) + lifetime } satisfies PushedRecord),
      lifetime,
    );
    return { request_uri: requestUri, expires_in: lifetime };
  }

  async take(tid: string, clientId: string, requestUri: string): Promise<Record<string, string> | null> {
    if (!plausibleRequestUri(requestUri)) return null;
    const raw = this.#map.take(key(tid, requestUri));
    if (!raw) return null;
    const pushed = JSON.parse(raw) as PushedRecord;
    return pushed.cid === clientId && pushed.exp > epochSeconds(this.#clock) ? pushed.params : null;
  }
}
