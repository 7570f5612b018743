import { describe, expect, it } from 'vitest';
import { DirectoryConflict } from '../../src/ports/user-directory.ts';
import type { Contract } from './store-subject.ts';

export const userDirectoryContract: Contract = (subject) =>
  describe('UserDirectory', () => {
    it('creates users with unique subjects and usernames per tenant, never showing the password', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const alice = await ports.users.create(tid, {
        username: 'alice',
        sub: 'a1',
        password: 'pw-alice',
        claims: { name: 'Alice' },
      });
      expect(alice).toEqual({
        sub: 'a1',
        username: 'alice',
        claims: { name: 'Alice' },
        createdAt: new Date(clock.now()),
        updatedAt: new Date(clock.now()),
      });
      await expect(ports.users.create(tid, { username: 'alice', password: 'x' })).rejects.toThrow(DirectoryConflict);
      await expect(ports.users.create(tid, { username: 'other', sub: 'a1', password: 'x' })).rejects.toThrow(
        DirectoryConflict,
      );
      expect((await ports.users.create(other, { username: 'alice', sub: 'a1', password: 'x' })).sub).toBe('a1');
      expect(JSON.stringify(await ports.users.get(tid, 'a1'))).not.toContain('pw-alice');
      expect((await ports.users.findByUsername(tid, 'alice'))?.sub).toBe('a1');
      expect(await ports.users.get(tid, 'a1\u0000')).toBeNull();
      expect(await ports.users.findByUsername(tid, 'nobody')).toBeNull();
    });

    it('holds a user quota: at the limit it refuses with quota_exceeded and creates nothing, also in parallel', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      await ports.users.create(tid, { username: 'one', password: 'pw-one-1' }, 2);
      const raced = await Promise.allSettled([
        ports.users.create(tid, { username: 'two', password: 'pw-two-2' }, 2),
        ports.users.create(tid, { username: 'three', password: 'pw-three' }, 2),
      ]);
      expect(raced.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const refused = raced.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      expect(refused.reason).toMatchObject({
        statusCode: 403,
        code: 'quota_exceeded',
        message: "The plan's quota of 2 directory users is reached",
      });
      expect(await ports.users.list(tid)).toHaveLength(2);
      await ports.users.create(other, { username: 'one', password: 'pw-one-1' }, 1);
      expect(await ports.users.list(other)).toHaveLength(1);
    });

    it('compares usernames after NFC', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      await ports.users.create(tid, { username: 'ren\u00e9', sub: 'r', password: 'pw-rene' });
      expect((await ports.users.findByUsername(tid, 'rene\u0301'))?.sub).toBe('r');
      expect(await ports.users.authenticate(tid, 'rene\u0301', 'pw-rene')).toEqual({ sub: 'r' });
    });

    it('authenticates the right password only', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      await ports.users.create(tid, { username: 'bob', sub: 'b', password: 'pw-bob' });
      expect(await ports.users.authenticate(tid, 'bob', 'pw-bob')).toEqual({ sub: 'b' });
      expect(await ports.users.authenticate(tid, 'bob', 'wrong')).toBeNull();
      expect(await ports.users.authenticate(tid, 'nobody', 'pw-bob')).toBeNull();
      expect(await ports.users.authenticate(other, 'bob', 'pw-bob')).toBeNull();
    });

    it('updates, pages, gives claims with updated_at, and deletes', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      for (const sub of ['c', 'a', 'b'])
        await ports.users.create(tid, { username: `user-${sub}`, sub, password: 'pw' });
      await expect(ports.users.update(tid, 'a', { username: 'user-b' })).rejects.toThrow(DirectoryConflict);
      clock.advanceSeconds(7);
      const changed = await ports.users.update(tid, 'a', {
        username: 'anna',
        password: 'new-pw',
        claims: { email: 'anna@example.com' },
      });
      expect(changed).toMatchObject({
        sub: 'a',
        username: 'anna',
        claims: { email: 'anna@example.com' },
        updatedAt: new Date(clock.now()),
      });
      expect(await ports.users.authenticate(tid, 'anna', 'new-pw')).toEqual({ sub: 'a' });
      expect(await ports.users.claims(tid, 'a')).toEqual({
        email: 'anna@example.com',
        updated_at: Math.floor(clock.now() / 1000),
      });
      expect(await ports.users.claims(tid, 'nobody')).toBeNull();
      expect((await ports.users.list(tid, { limit: 2 })).map((u) => u.sub)).toEqual(['a', 'b']);
      expect((await ports.users.list(tid, { after: 'a' })).map((u) => u.sub)).toEqual(['b', 'c']);
      expect(await ports.users.update(tid, 'nobody', { claims: {} })).toBeNull();
      expect(await ports.users.delete(tid, 'a')).toBe(true);
      expect(await ports.users.delete(tid, 'a')).toBe(false);
      expect(await ports.users.get(tid, 'a')).toBeNull();
    });
  });
