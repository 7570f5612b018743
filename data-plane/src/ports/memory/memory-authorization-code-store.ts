import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { type AuthorizationCodeStore, type CodeRecord, USED_CODE_MEMORY_SECONDS } from '../authorization-code-store.ts';
import { type Clock, epochSeconds } from '../clock.ts';
import { ExpiringMap } from './expiring-map.ts';

const key = (tid: string, code: string) => `code\u0000${tid}\u0000${tokenHash(code)}`;
const usedKey = (tid: string, code: string) => `used\u0000${tid}\u0000${tokenHash(code)}`;

/** Authorisation codes in memory, under the code's SHA-256; single use by a set-if-absent marker. */
export class MemoryAuthorizationCodeStore implements AuthorizationCodeStore {
  readonly #clock: Clock;
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#map = new ExpiringMap(clock);
  }

  async issue(tid: string, hmacKey: Uint8Array, record: CodeRecord, ttl: number): Promise<string> {
    const code = mintIdentifier(hmacKey, 'code');
    this.#map.set(key(tid, code), JSON.stringify(record), ttl);
    return code;
  }

  async get(tid: string, hmacKey: Uint8Array, code: string): Promise<CodeRecord | null> {
    if (!checkIdentifier(hmacKey, 'code', code)) return null;
    const raw = this.#map.get(key(tid, code));
    if (!raw) return null;
    const record = JSON.parse(raw) as CodeRecord;
    return record.exp > epochSeconds(this.#clock) ? record : null;
  }

  async markUsed(tid: string, code: string): Promise<boolean> {
    return this.#map.setIfAbsent(usedKey(tid, code), '1', USED_CODE_MEMORY_SECONDS);
  }
}
