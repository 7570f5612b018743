import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { openLogoutSession, sealLogoutSession } from '../../stores/logout-session-seal.ts';
import type { Clock } from '../clock.ts';
import type { LogoutSession, LogoutSessionStore } from '../logout-session-store.ts';
import { ExpiringMap } from './expiring-map.ts';

const PURPOSE = 'lgs';
const key = (tid: string, sid: string) => `${tid}\u0000${tokenHash(sid)}`;

/** Logout sessions in memory: keyed and sealed as in Redis, expiring by the clock. */
export class MemoryLogoutSessionStore implements LogoutSessionStore {
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#map = new ExpiringMap(clock);
  }

  async create(tid: string, hmacKey: Uint8Array, session: LogoutSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, PURPOSE);
    this.#map.set(key(tid, sid), sealLogoutSession(sid, session), ttl);
    return sid;
  }

  async take(tid: string, hmacKey: Uint8Array, sid: string): Promise<LogoutSession | null> {
    if (!checkIdentifier(hmacKey, PURPOSE, sid)) return null;
    const raw = this.#map.take(key(tid, sid));
    return raw ? openLogoutSession(sid, raw) : null;
  }
}
