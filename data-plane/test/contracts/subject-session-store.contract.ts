import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import { epochSeconds } from '../../src/ports/clock.ts';
import type { SubjectSession } from '../../src/ports/subject-session-store.ts';
import { type Contract, hmacKey } from './store-subject.ts';

export const subjectSessionStoreContract: Contract = (subject) =>
  describe('SubjectSessionStore', () => {
    const session = (now: number, fields: Partial<SubjectSession> = {}): SubjectSession => ({
      sub: 'alice',
      authTime: now,
      creationTime: now,
      maxLife: 3600,
      ...fields,
    });

    it('creates a session found by its id or its hash, in its tenant only, stamped with the time of creation', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const now = epochSeconds(clock);
      const sid = await ports.sessions.create(tid, key, session(now));
      expect(await ports.sessions.get(tid, key, sid)).toEqual({ ...session(now), lastAccess: now });
      expect(await ports.sessions.getByHash(tid, tokenHash(sid))).toEqual({ ...session(now), lastAccess: now });
      expect(await ports.sessions.get(other, key, sid)).toBeNull();
      expect(await ports.sessions.get(tid, hmacKey(), sid)).toBeNull();
    });

    it('ends at its maximum life and after its idle limit; a touch restarts the idle timer and records the client once', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const now = epochSeconds(clock);
      const idle = await ports.sessions.create(tid, key, session(now, { maxIdle: 600 }));
      const mortal = await ports.sessions.create(tid, key, session(now, { maxLife: 1000 }));
      clock.advanceSeconds(500);
      let touched = await ports.sessions.touch(tid, idle, (await ports.sessions.get(tid, key, idle))!, 'app');
      touched = await ports.sessions.touch(tid, idle, touched, 'app');
      expect(touched.rps).toEqual(['app']);
      clock.advanceSeconds(500);
      expect((await ports.sessions.get(tid, key, idle))?.rps).toEqual(['app']);
      expect(await ports.sessions.get(tid, key, mortal)).toBeNull();
      clock.advanceSeconds(600);
      expect(await ports.sessions.get(tid, key, idle)).toBeNull();
    });

    it('lists a subject’s live sessions by hash and ends them, one or all', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const now = epochSeconds(clock);
      const [one, two] = [
        await ports.sessions.create(tid, key, session(now)),
        await ports.sessions.create(tid, key, session(now)),
      ];
      await ports.sessions.create(tid, key, session(now, { sub: 'bob' }));
      expect((await ports.sessions.listBySubject(tid, 'alice')).map((s) => s.id).sort()).toEqual(
        [tokenHash(one), tokenHash(two)].sort(),
      );
      expect(await ports.sessions.end(tid, hmacKey(), one)).toBe(false);
      expect(await ports.sessions.end(tid, key, one)).toBe(true);
      expect(await ports.sessions.end(tid, key, one)).toBe(false);
      expect((await ports.sessions.listBySubject(tid, 'alice')).map((s) => s.id)).toEqual([tokenHash(two)]);
      const touched = await ports.sessions.touch(tid, two, (await ports.sessions.get(tid, key, two))!, 'app');
      // Each ended session as it was when it ended (its clients: whom to tell), by hash.
      expect(await ports.sessions.endSubject(tid, 'alice')).toEqual([{ id: tokenHash(two), session: touched }]);
      expect(await ports.sessions.endSubject(tid, 'alice')).toEqual([]);
      expect(await ports.sessions.listBySubject(tid, 'alice')).toEqual([]);
      expect(await ports.sessions.listBySubject(tid, 'bob')).toHaveLength(1);
    });

    it('ends a subject’s sessions in its tenant only, and each once however many calls race', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const now = epochSeconds(clock);
      const sids = [
        await ports.sessions.create(tid, key, session(now)),
        await ports.sessions.create(tid, key, session(now)),
        await ports.sessions.create(tid, key, session(now)),
      ];
      const elsewhere = await ports.sessions.create(other, key, session(now));
      const [a, b] = await Promise.all([
        ports.sessions.endSubject(tid, 'alice'),
        ports.sessions.endSubject(tid, 'alice'),
      ]);
      const ended = [...a, ...b].map((s) => s.id).sort();
      expect(ended).toEqual(sids.map((sid) => tokenHash(sid)).sort());
      expect([...a, ...b].every((s) => s.session.sub === 'alice')).toBe(true);
      expect(await ports.sessions.get(other, key, elsewhere)).not.toBeNull();
    });

    it('does not bring an ended session back with a touch', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const sid = await ports.sessions.create(tid, key, session(epochSeconds(clock)));
      const found = (await ports.sessions.get(tid, key, sid))!;
      await ports.sessions.end(tid, key, sid);
      await ports.sessions.touch(tid, sid, found, 'app');
      expect(await ports.sessions.get(tid, key, sid)).toBeNull();
    });
  });
