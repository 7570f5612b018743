import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { openTestServices } from '../../test/support/env.ts';
import { systemClock } from '../src/ports/clock.ts';
import { RedisSubjectSessionStore } from '../src/stores/subject-session-store.ts';

// The Redis store's subject index (not part of the port's contract): written with each session, in one atomic call.
describe('Redis subject session index', () => {
  const s = openTestServices();
  const store = new RedisSubjectSessionStore(s.redis, systemClock);
  const key = randomBytes(32);
  const tid = `index-${randomBytes(4).toString('hex')}`;
  const indexKey = (sub: string) => `sess-sub:${tid}:${sub.length}:${sub}`;
  const now = Math.floor(Date.now() / 1000);
  const session = (sub: string, maxLife: number) => ({ sub, authTime: now, creationTime: now, maxLife });

  afterAll(async () => {
    await s.redis.del(indexKey('alice'), indexKey('bob'));
    await s.close();
  });

  it('lists each new session and lives as long as the longest one, never shortened by a shorter one', async () => {
    await store.create(tid, key, session('alice', 100));
    expect(await s.redis.ttl(indexKey('alice'))).toBeGreaterThan(90);
    expect(await s.redis.ttl(indexKey('alice'))).toBeLessThanOrEqual(100);
    await store.create(tid, key, session('alice', 1000));
    expect(await s.redis.ttl(indexKey('alice'))).toBeGreaterThan(990);
    await store.create(tid, key, session('alice', 50));
    expect(await s.redis.ttl(indexKey('alice'))).toBeGreaterThan(990);
    expect(await s.redis.scard(indexKey('alice'))).toBe(3);
    expect((await store.listBySubject(tid, 'alice')).length).toBe(3);
    expect(await s.redis.exists(indexKey('bob'))).toBe(0);
  });
});
