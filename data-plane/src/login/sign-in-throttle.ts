import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/**
 * Online password guessing brake for the hosted sign-in page: after
 * MAX_FAILURES wrong passwords for one username of a tenant within WINDOW
 * seconds, further attempts for that username are refused unchecked until
 * the window ends. Keyed by a hash of the username, so Redis holds no
 * usernames.
 */
const MAX_FAILURES = 10;
const WINDOW_SECONDS = 900;

const key = (tid: string, username: string) => `signin-fail:${tid}:${createHash('sha256').update(username.normalize('NFC')).digest('base64url')}`;

export async function signInBlocked(redis: Redis, tid: string, username: string): Promise<boolean> {
  const failures = Number(await redis.get(key(tid, username)));
  return failures >= MAX_FAILURES;
}

export async function recordSignInFailure(redis: Redis, tid: string, username: string): Promise<void> {
  const k = key(tid, username);
  // The window starts at the first failure (NX) and is not extended by later ones.
  await redis.multi().incr(k).expire(k, WINDOW_SECONDS, 'NX').exec();
}

export async function clearSignInFailures(redis: Redis, tid: string, username: string): Promise<void> {
  await redis.del(key(tid, username));
}
