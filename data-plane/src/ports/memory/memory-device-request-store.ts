import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import { newUserCode } from '../../device/user-code.ts';
import { type Clock, epochSeconds } from '../clock.ts';
import {
  DEVICE_REQUEST_MEMORY_SECONDS,
  type DeviceApproval,
  type DevicePoll,
  type DeviceRequest,
  type DeviceRequestStore,
} from '../device-request-store.ts';
import { ExpiringMap } from './expiring-map.ts';

interface Stored {
  request: DeviceRequest;
  status: 'pending' | 'approved' | 'denied' | 'used';
  /** Milliseconds (clock) of the last poll. */
  last?: number;
  approval?: DeviceApproval;
}

const key = (tid: string, handle: string) => `dev\u0000${tid}\u0000${handle}`;
const userCodeKey = (tid: string, userCode: string) => `dev-uc\u0000${tid}\u0000${tokenHash(userCode)}`;

/**
 * Device requests in memory, under the device code's SHA-256; the same
 * rules as the Redis store (each operation runs to its end without yielding,
 * which makes it atomic here).
 */
export class MemoryDeviceRequestStore implements DeviceRequestStore {
  readonly #clock: Clock;
  readonly #map: ExpiringMap;

  constructor(clock: Clock) {
    this.#clock = clock;
    this.#map = new ExpiringMap(clock);
  }

  #read(tid: string, handle: string): Stored | null {
    const raw = this.#map.get(key(tid, handle));
    return raw ? (JSON.parse(raw) as Stored) : null;
  }

  #write(tid: string, handle: string, stored: Stored): void {
    this.#map.replace(key(tid, handle), JSON.stringify(stored));
  }

  async create(tid: string, hmacKey: Uint8Array, request: DeviceRequest) {
    const deviceCode = mintIdentifier(hmacKey, 'dvc');
    const handle = tokenHash(deviceCode);
    const life = Math.max(1, request.exp - epochSeconds(this.#clock));
    const stored: Stored = { request, status: 'pending' };
    this.#map.set(key(tid, handle), JSON.stringify(stored), life + DEVICE_REQUEST_MEMORY_SECONDS);
    for (;;) {
      const userCode = newUserCode();
      if (this.#map.setIfAbsent(userCodeKey(tid, userCode), handle, life)) return { deviceCode, userCode };
    }
  }

  async findByUserCode(tid: string, userCode: string) {
    const handle = this.#map.get(userCodeKey(tid, userCode));
    const stored = handle ? this.#read(tid, handle) : null;
    if (!handle || !stored || stored.status !== 'pending') return null;
    return stored.request.exp > epochSeconds(this.#clock) ? { handle, request: stored.request } : null;
  }

  #decide(tid: string, handle: string, status: 'approved' | 'denied', approval?: DeviceApproval): boolean {
    const stored = this.#read(tid, handle);
    if (stored?.status !== 'pending' || this.#clock.now() >= stored.request.exp * 1000) return false;
    this.#write(tid, handle, { ...stored, status, ...(approval ? { approval } : {}) });
    return true;
  }

  async approve(tid: string, handle: string, approval: DeviceApproval): Promise<boolean> {
    return this.#decide(tid, handle, 'approved', approval);
  }

  async deny(tid: string, handle: string): Promise<boolean> {
    return this.#decide(tid, handle, 'denied');
  }

  async poll(
    tid: string,
    hmacKey: Uint8Array,
    deviceCode: string,
    clientId: string,
    dpopJkt?: string,
  ): Promise<DevicePoll | null> {
    if (!checkIdentifier(hmacKey, 'dvc', deviceCode)) return null;
    const handle = tokenHash(deviceCode);
    const stored = this.#read(tid, handle);
    if (!stored || stored.request.clientId !== clientId) return null;
    const now = this.#clock.now();
    const { request } = stored;
    if (request.dpopJkt !== undefined && request.dpopJkt !== dpopJkt) return { status: 'wrong_key', request };
    if (stored.status === 'used') return { status: 'used', request };
    if (now >= request.exp * 1000) return { status: 'expired', request };
    if (stored.status === 'approved') {
      const { approval: _taken, ...rest } = stored;
      this.#write(tid, handle, { ...rest, status: 'used' });
      return { status: 'approved', request, approval: stored.approval! };
    }
    if (stored.status === 'denied') return { status: 'denied', request };
    const tooSoon = stored.last !== undefined && now - stored.last < request.interval * 1000;
    const next: DeviceRequest = tooSoon ? { ...request, interval: request.interval + 5 } : request;
    this.#write(tid, handle, { ...stored, request: next, last: now });
    return { status: tooSoon ? 'slow_down' : 'pending', request: next };
  }
}
