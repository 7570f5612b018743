import { describe, expect, it } from 'vitest';
import type { LogoutSession } from '../../src/ports/logout-session-store.ts';
import { type Contract, expectGone, hmacKey } from './store-subject.ts';

export const logoutSessionStoreContract: Contract = (subject) =>
  describe('LogoutSessionStore', () => {
    const flow = (fields: Partial<LogoutSession> = {}): LogoutSession => ({
      issuer: 'https://op.example/t',
      initiator: 'rp',
      clientId: 'app',
      postLogoutRedirectUri: 'https://app.example/bye?state=s1',
      createdAt: 1,
      ...fields,
    });

    it('gives a session back, with its subject session, to its tenant and key only', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const sid = await ports.logoutSessions.create(tid, key, flow({ subSid: 'the-sso-session' }), 60);
      expect(await ports.logoutSessions.take(other, key, sid)).toBeNull();
      expect(await ports.logoutSessions.take(tid, hmacKey(), sid)).toBeNull();
      expect(await ports.logoutSessions.take(tid, key, sid)).toEqual(flow({ subSid: 'the-sso-session' }));
    });

    it('lives its TTL and no longer', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const sid = await ports.logoutSessions.create(tid, key, flow(), 1);
      clock.advanceSeconds(1);
      await expectGone(() => ports.logoutSessions.take(tid, key, sid));
    });

    it('is taken once, however many race for it', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const sid = await ports.logoutSessions.create(tid, key, flow(), 60);
      const taken = await Promise.all(Array.from({ length: 5 }, () => ports.logoutSessions.take(tid, key, sid)));
      expect(taken.filter((t) => t !== null)).toEqual([flow()]);
    });
  });
