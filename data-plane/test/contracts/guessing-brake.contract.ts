import { describe, expect, it } from 'vitest';
import { GUESSING_LIMITS } from '../../src/brakes/guessing-limits.ts';
import type { Contract } from './store-subject.ts';

export const guessingBrakeContract: Contract = (subject) =>
  describe('GuessingBrake', () => {
    it('refuses a username from one source after its failures, there only, until a success clears them', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const attempt = { tid, username: 'alice', ip: '192.0.2.1' };
      for (let i = 0; i < GUESSING_LIMITS.userAtSource.points; i++)
        expect((await ports.guessingBrake.reserve(attempt)).allowed).toBe(true);
      const refused = await ports.guessingBrake.reserve(attempt);
      expect(refused.allowed).toBe(false);
      if (!refused.allowed) expect(refused.retryAfter).toBeGreaterThan(0);
      expect((await ports.guessingBrake.reserve({ ...attempt, ip: '192.0.2.2' })).allowed).toBe(true);
      expect((await ports.guessingBrake.reserve({ ...attempt, username: 'bob' })).allowed).toBe(true);
    });

    it('lets a right password clear the failures it counted', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const attempt = { tid, username: 'carol', ip: '192.0.2.3' };
      for (let i = 0; i < GUESSING_LIMITS.userAtSource.points - 1; i++) await ports.guessingBrake.reserve(attempt);
      const last = await ports.guessingBrake.reserve(attempt);
      expect(last.allowed).toBe(true);
      if (last.allowed) await last.succeeded();
      expect((await ports.guessingBrake.reserve(attempt)).allowed).toBe(true);
    });
  });
