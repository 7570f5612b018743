import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Clock } from '../ports/clock.ts';
import { LeasedRateLimiter } from './leased-limiter.ts';

/**
 * The token rate limit of a data plane: windows counted in Redis, shared by
 * every node (`redis` carries the deployment's key prefix; keys are
 * `token-rate:<points>:<seconds>:<tid>`). When Redis does not answer, each
 * node falls back to counting the same limit in its own memory
 * (rate-limiter-flexible's insurance limiter): it fails open to one plan's
 * worth per node rather than closed, because JWT access tokens need no Redis
 * and a Redis outage should not stop their issuance; a fleet of n nodes then
 * allows at most n times the limit.
 */
export const redisTokenRateLimiter = (redis: Redis, clock: Clock, onError?: (err: unknown) => void) =>
  new LeasedRateLimiter(
    ({ points, duration }) =>
      new RateLimiterRedis({
        storeClient: redis,
        keyPrefix: `token-rate:${points}:${duration}`,
        points,
        duration,
        // A connection that is not ready goes to the insurance at once instead of queueing the request.
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory({ keyPrefix: `token-rate:${points}:${duration}`, points, duration }),
      }),
    clock,
    onError,
  );
