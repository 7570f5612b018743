import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { type RateLimiterAbstract, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { GuessingBrake, PasswordAttempt, Reservation } from '../ports/guessing-brake.ts';
import { GUESSING_LIMITS, type GuessingLimit } from './guessing-limits.ts';

type Stage = keyof typeof GUESSING_LIMITS;
/**
 * The order limits are counted in. The source pays for everything it sends,
 * so it comes first and an address over its limit costs no other counter;
 * the tenant comes last, so it counts only attempts that are checked.
 */
const ORDER: readonly Stage[] = ['source', 'userAtSource', 'user', 'tenant'];

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/**
 * An IP address as the network one host holds: IPv4 as is (also when written
 * as IPv4-mapped IPv6), IPv6 as its /64, since one host often gets a whole
 * /64 and could otherwise change address at every guess.
 */
export function sourceNetwork(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip || 'unknown';
  const address = ipaddr.process(ip);
  if (address.kind() === 'ipv4') return address.toString();
  return `${(address as ipaddr.IPv6).parts
    .slice(0, 4)
    .map((p) => p.toString(16))
    .join(':')}::/64`;
}

/** Redis key parts of an attempt: hashes, so Redis holds no usernames or client ids. */
function keysOf(attempt: PasswordAttempt): Record<Stage, string> {
  const { tid } = attempt;
  const user = sha256(attempt.username.normalize('NFC'));
  const source = sourceNetwork(attempt.ip) + (attempt.clientId !== undefined ? `:${sha256(attempt.clientId)}` : '');
  return { source: `${tid}:${source}`, userAtSource: `${tid}:${user}:${source}`, user: `${tid}:${user}`, tenant: tid };
}

/**
 * The online password guessing brake (limits in guessing-limits.ts): an
 * attempt is counted, atomically, before its password is checked,
 * so parallel guesses cannot all slip in between a read and a write; one over
 * any limit is refused without checking the password. The counters live
 * wherever `limiter` keeps them: Redis on a data plane (`redisGuessingBrake`),
 * process memory in unit tests (ports/memory/memory-guessing-brake.ts).
 */
export class PasswordBrake implements GuessingBrake {
  readonly #limiters: Record<Stage, RateLimiterAbstract>;

  constructor(limiter: (stage: Stage, limit: GuessingLimit) => RateLimiterAbstract) {
    this.#limiters = {
      source: limiter('source', GUESSING_LIMITS.source),
      userAtSource: limiter('userAtSource', GUESSING_LIMITS.userAtSource),
      user: limiter('user', GUESSING_LIMITS.user),
      tenant: limiter('tenant', GUESSING_LIMITS.tenant),
    };
  }

  async reserve(attempt: PasswordAttempt): Promise<Reservation> {
    const keys = keysOf(attempt);
    const counted: Stage[] = [];
    for (const stage of ORDER) {
      try {
        await this.#limiters[stage].consume(keys[stage]);
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        // Not checked, so not a failure of this username: give its counts back (the source keeps paying).
        await Promise.all(counted.filter((s) => s !== 'source').map((s) => this.#limiters[s].reward(keys[s])));
        return { allowed: false, retryAfter: Math.max(1, Math.ceil(err.msBeforeNext / 1000)) };
      }
      counted.push(stage);
    }
    return { allowed: true, succeeded: () => this.#succeeded(keys, attempt.clientId !== undefined) };
  }

  /**
   * A right password clears the username's failures from this source and
   * gives back its count for the username; a client's source gets its count
   * back too (see guessing-limits.ts).
   */
  async #succeeded(keys: Record<Stage, string>, clientSource: boolean): Promise<void> {
    await Promise.all([
      this.#limiters.userAtSource.delete(keys.userAtSource),
      this.#limiters.user.reward(keys.user),
      ...(clientSource ? [this.#limiters.source.reward(keys.source)] : []),
    ]);
  }
}

/** A brake counting in Redis, one per data plane (`redis` carries its key prefix; the limiters add theirs). */
export const redisGuessingBrake = (redis: Redis): PasswordBrake =>
  new PasswordBrake(
    (stage, limit) => new RateLimiterRedis({ storeClient: redis, keyPrefix: `guess-${stage}`, ...limit }),
  );
