import { checkIdentifier, mintIdentifier, tokenHash } from '@tessera/shared/tokens/identifiers';
import type { Redis } from 'ioredis';
import { newUserCode } from '../device/user-code.ts';
import { type Clock, epochSeconds, systemClock } from '../ports/clock.ts';
import {
  DEVICE_REQUEST_MEMORY_SECONDS,
  type DeviceApproval,
  type DevicePoll,
  type DeviceRequest,
  type DeviceRequestStore,
} from '../ports/device-request-store.ts';

const PURPOSE = 'dvc';
const key = (tid: string, handle: string) => `dev:${tid}:${handle}`;
const userCodeKey = (tid: string, userCode: string) => `dev-uc:${tid}:${tokenHash(userCode)}`;
/** Tries at a user code no live request of the tenant holds (a clash is one in billions per try). */
const USER_CODE_TRIES = 5;

/**
 * One poll, atomically (one Lua call): expiry, then the decision; a pending
 * request polled within its interval gets `slow_down` and 5 s more; a
 * request bound to a DPoP key answers `wrong_key` to a poll without it.
 * Returns {status, request JSON, interval[, approval JSON]} or nil.
 */
const POLL = `local h = redis.call('HMGET', KEYS[1], 'req', 'status', 'interval', 'last', 'exp', 'approval', 'cid', 'jkt')
if not h[1] or h[7] ~= ARGV[2] then return false end
if h[8] and h[8] ~= '' and h[8] ~= ARGV[3] then return {'wrong_key', h[1], h[3]} end
local now = tonumber(ARGV[1])
if h[2] == 'used' then return {'used', h[1], h[3]} end
if now >= tonumber(h[5]) * 1000 then return {'expired', h[1], h[3]} end
if h[2] == 'approved' then
  redis.call('HSET', KEYS[1], 'status', 'used')
  redis.call('HDEL', KEYS[1], 'approval')
  return {'approved', h[1], h[3], h[6]}
end
if h[2] == 'denied' then return {'denied', h[1], h[3]} end
local interval = tonumber(h[3])
redis.call('HSET', KEYS[1], 'last', ARGV[1])
if h[4] and now - tonumber(h[4]) < interval * 1000 then
  interval = interval + 5
  redis.call('HSET', KEYS[1], 'interval', interval)
  return {'slow_down', h[1], tostring(interval)}
end
return {'pending', h[1], h[3]}`;

/** Decide a pending, unexpired request: 1 when this call decided it. */
const DECIDE = `local h = redis.call('HMGET', KEYS[1], 'status', 'exp')
if h[1] ~= 'pending' or tonumber(ARGV[1]) >= tonumber(h[2]) * 1000 then return 0 end
redis.call('HSET', KEYS[1], 'status', ARGV[2])
if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'approval', ARGV[3]) end
return 1`;

const POLL_COMMAND = 'tesseraPollDeviceRequest';
const DECIDE_COMMAND = 'tesseraDecideDeviceRequest';
type PollCommand = (key: string, nowMs: number, clientId: string, jkt: string) => Promise<string[] | null>;
type DecideCommand = (key: string, nowMs: number, status: string, approval: string) => Promise<number>;

/**
 * Device requests in Redis: a hash under the SHA-256 of the device code
 * (request, client, status, interval, last poll, approval), and the user code's
 * SHA-256 pointing at it. Polls and decisions are Lua scripts, so two
 * nodes polling or deciding at once see one order.
 */
export class RedisDeviceRequestStore implements DeviceRequestStore {
  readonly #redis: Redis;
  readonly #clock: Clock;
  readonly #poll: PollCommand;
  readonly #decide: DecideCommand;

  constructor(redis: Redis, clock: Clock = systemClock) {
    this.#redis = redis;
    this.#clock = clock;
    // ioredis sends them as EVALSHA (EVAL once per connection), with the connection's key prefix.
    if (!(POLL_COMMAND in redis)) redis.defineCommand(POLL_COMMAND, { numberOfKeys: 1, lua: POLL });
    if (!(DECIDE_COMMAND in redis)) redis.defineCommand(DECIDE_COMMAND, { numberOfKeys: 1, lua: DECIDE });
    const commands = redis as unknown as Record<string, PollCommand & DecideCommand>;
    this.#poll = commands[POLL_COMMAND]!.bind(redis);
    this.#decide = commands[DECIDE_COMMAND]!.bind(redis);
  }

  async create(tid: string, hmacKey: Uint8Array, request: DeviceRequest) {
    const deviceCode = mintIdentifier(hmacKey, PURPOSE);
    const handle = tokenHash(deviceCode);
    const life = Math.max(1, request.exp - epochSeconds(this.#clock));
    await this.#redis
      .multi()
      .hset(key(tid, handle), {
        req: JSON.stringify(request),
        status: 'pending',
        cid: request.clientId,
        interval: String(request.interval),
        exp: String(request.exp),
        jkt: request.dpopJkt ?? '',
      })
      .expire(key(tid, handle), life + DEVICE_REQUEST_MEMORY_SECONDS)
      .exec();
    for (let i = 0; i < USER_CODE_TRIES; i++) {
      const userCode = newUserCode();
      if ((await this.#redis.set(userCodeKey(tid, userCode), handle, 'EX', life, 'NX')) === 'OK')
        return { deviceCode, userCode };
    }
    throw new Error('no free user code');
  }

  async findByUserCode(tid: string, userCode: string) {
    const handle = await this.#redis.get(userCodeKey(tid, userCode));
    if (!handle) return null;
    const [req, status] = await this.#redis.hmget(key(tid, handle), 'req', 'status');
    if (!req || status !== 'pending') return null;
    const request = JSON.parse(req) as DeviceRequest;
    return request.exp > epochSeconds(this.#clock) ? { handle, request } : null;
  }

  async approve(tid: string, handle: string, approval: DeviceApproval): Promise<boolean> {
    return (await this.#decide(key(tid, handle), this.#clock.now(), 'approved', JSON.stringify(approval))) === 1;
  }

  async deny(tid: string, handle: string): Promise<boolean> {
    return (await this.#decide(key(tid, handle), this.#clock.now(), 'denied', '')) === 1;
  }

  async poll(
    tid: string,
    hmacKey: Uint8Array,
    deviceCode: string,
    clientId: string,
    dpopJkt?: string,
  ): Promise<DevicePoll | null> {
    if (!checkIdentifier(hmacKey, PURPOSE, deviceCode)) return null;
    const found = await this.#poll(key(tid, tokenHash(deviceCode)), this.#clock.now(), clientId, dpopJkt ?? '');
    if (!found) return null;
    const [status, req, interval, approval] = found as [DevicePoll['status'], string, string, string?];
    const request: DeviceRequest = { ...(JSON.parse(req) as DeviceRequest), interval: Number(interval) };
    if (status === 'approved') return { status, request, approval: JSON.parse(approval!) as DeviceApproval };
    return { status, request };
  }
}
