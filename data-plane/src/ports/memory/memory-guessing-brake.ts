import { RateLimiterMemory } from 'rate-limiter-flexible';
import { PasswordBrake } from '../../brakes/password-brake.ts';

/**
 * The guessing brake with its counters in process memory: the same limits
 * and order as on a data plane (brakes/password-brake.ts). Its windows run on
 * the wall clock (rate-limiter-flexible's own), not on a `Clock`.
 */
export const memoryGuessingBrake = (): PasswordBrake =>
  new PasswordBrake((stage, limit) => new RateLimiterMemory({ keyPrefix: `guess-${stage}`, ...limit }));
