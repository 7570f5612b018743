import { describe, expect, it } from 'vitest';
import { epochSeconds } from '../../src/ports/clock.ts';
import type { Contract } from './store-subject.ts';

export const revocationJournalContract: Contract = (subject) =>
  describe('RevocationJournal', () => {
    it('revokes tokens issued at or before the revocation, for the subject, the client or the pair', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const issued = epochSeconds(clock);
      clock.advanceSeconds(10);
      await ports.journal.revoke(tid, { sub: 'alice', cid: 'app' });
      await ports.journal.revoke(tid, { cid: 'tool' });
      await ports.journal.revoke(tid, { sub: 'bob' });
      const checks = [
        (t: string, sub: string, cid: string, iat: number) => ports.journal.isRevoked(t, sub, cid, iat),
        (t: string, sub: string, cid: string, iat: number) => ports.journal.isRevokedDurably(t, sub, cid, iat),
      ];
      for (const check of checks) {
        expect(await check(tid, 'alice', 'app', issued)).toBe(true);
        expect(await check(tid, 'alice', 'app', issued + 10)).toBe(true);
        expect(await check(tid, 'alice', 'app', issued + 11)).toBe(false);
        expect(await check(tid, 'alice', 'web', issued)).toBe(false);
        expect(await check(tid, 'carol', 'tool', issued)).toBe(true);
        expect(await check(tid, 'bob', 'web', issued)).toBe(true);
        expect(await check(other, 'alice', 'app', issued)).toBe(false);
      }
    });

    it('takes an explicit time, and an older revocation never hides a newer one', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const now = clock.now();
      await ports.journal.revoke(tid, { sub: 'alice' }, new Date(now + 60_000));
      await ports.journal.revoke(tid, { sub: 'alice' }, new Date(now - 60_000));
      expect(await ports.journal.isRevoked(tid, 'alice', 'app', Math.floor(now / 1000) + 30)).toBe(true);
      expect(await ports.journal.isRevokedDurably(tid, 'alice', 'app', Math.floor(now / 1000) + 30)).toBe(true);
    });

    it('needs a subject or a client', async () => {
      const { ports, tenant } = subject();
      await expect(ports.journal.revoke(await tenant(), {})).rejects.toThrow();
    });
  });
