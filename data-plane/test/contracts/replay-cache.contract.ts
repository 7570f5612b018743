import { describe, expect, it } from 'vitest';
import { epochSeconds } from '../../src/ports/clock.ts';
import type { Contract } from './store-subject.ts';

export const replayCacheContract: Contract = (subject) =>
  describe('ReplayCache', () => {
    it('lets exactly one of racing uses be the first, and tells every use when the first was', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const first = epochSeconds(clock);
      const until = first + 300;
      const uses = await Promise.all(
        Array.from({ length: 5 }, () => ports.replay.use(tid, 'client-assertion', 'app\u0000jti-1', until)),
      );
      expect(uses.filter((u) => u.first)).toHaveLength(1);
      expect(uses.every((u) => u.usedAt === first)).toBe(true);
      clock.advanceSeconds(299);
      expect(await ports.replay.use(tid, 'client-assertion', 'app\u0000jti-1', until)).toEqual({
        first: false,
        usedAt: first,
      });
      expect(await ports.replay.usedAt(tid, 'client-assertion', 'app\u0000jti-1')).toBe(first);
    });

    it('keeps kinds and tenants apart', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const until = epochSeconds(clock) + 60;
      expect((await ports.replay.use(tid, 'refresh-token', 'j', until)).first).toBe(true);
      expect((await ports.replay.use(tid, 'client-assertion', 'j', until)).first).toBe(true);
      expect((await ports.replay.use(other, 'refresh-token', 'j', until)).first).toBe(true);
      expect(await ports.replay.usedAt(tid, 'refresh-token', 'never')).toBeNull();
    });
  });
