import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { openAuthzSession, sealAuthzSession } from '../../stores/authz-session-seal.ts';
import type { AuthzSession, AuthzSessionStore } from '../authz-session-store.ts';
import type { Clock } from '../clock.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, sid: string) => `${tid}\u0000${tokenHash(sid)}`;

/** Authorisation sessions in memory: keyed and sealed as in Redis, expiring by the clock. */
export class MemoryAuthzSessionStore implements AuthzSessionStore {
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#map = new ExpiringMap(clock);
  }

  async create(tid: string, hmacKey: Uint8Array, session: AuthzSession, ttl: number): Promise<string> {
    const sid = mintIdentifier(hmacKey, 'azs');
    this.#map.set(key(tid, sid), sealAuthzSession(sid, session), ttl);
    return sid;
  }

  async get(tid: string, hmacKey: Uint8Array, sid: string): Promise<AuthzSession | null> {
    if (!checkIdentifier(hmacKey, 'azs', sid)) return null;
    const raw = this.#map.get(key(tid, sid));
    return raw ? openAuthzSession(sid, raw) : null;
  }

  async update(tid: string, sid: string, session: AuthzSession): Promise<boolean> {
    return this.#map.replace(key(tid, sid), sealAuthzSession(sid, session));
  }

  async take(tid: string, sid: string): Promise<AuthzSession | null> {
    const raw = this.#map.take(key(tid, sid));
    return raw ? openAuthzSession(sid, raw) : null;
  }
}
