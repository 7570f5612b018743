import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { type Clock, epochSeconds } from '../clock.ts';
import type { ReplayCache, ReplayKind, UseRecord } from '../replay-cache.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, kind: ReplayKind, id: string) => `${kind}\u0000${tid}\u0000${tokenHash(id)}`;

/** Single-use ids in memory, under their SHA-256, remembered until `until` by the clock. */
export class MemoryReplayCache implements ReplayCache {
  readonly #clock: Clock;
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#map = new ExpiringMap(clock);
  }

  async use(tid: string, kind: ReplayKind, id: string, until: number): Promise<UseRecord> {
    const now = epochSeconds(this.#clock);
    const k = key(tid, kind, id);
    if (this.#map.setIfAbsent(k, String(now), Math.max(1, until - now))) return { first: true, usedAt: now };
    return { first: false, usedAt: Number(this.#map.get(k)) };
  }

  async usedAt(tid: string, kind: ReplayKind, id: string): Promise<number | null> {
    const usedAt = this.#map.get(key(tid, kind, id));
    return usedAt === null ? null : Number(usedAt);
  }
}
