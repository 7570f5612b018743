import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { AccessTokenStore, IdentifierTokenRecord } from '../access-token-store.ts';
import { type Clock, epochSeconds } from '../clock.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, token: string) => `${tid}\u0000${tokenHash(token)}`;

/** Identifier access tokens in memory, under the token's SHA-256, until `exp` by the clock. */
export class MemoryAccessTokenStore implements AccessTokenStore {
  readonly #clock: Clock;
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#map = new ExpiringMap(clock);
  }

  async put(tid: string, token: string, record: IdentifierTokenRecord): Promise<void> {
    this.#map.set(key(tid, token), JSON.stringify(record), Math.max(1, record.exp - epochSeconds(this.#clock)));
  }

  async get(tid: string, token: string): Promise<IdentifierTokenRecord | null> {
    const raw = this.#map.get(key(tid, token));
    return raw ? (JSON.parse(raw) as IdentifierTokenRecord) : null;
  }

  async delete(tid: string, token: string): Promise<void> {
    this.#map.delete(key(tid, token));
  }
}
