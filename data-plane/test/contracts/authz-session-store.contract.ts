import { describe, expect, it } from 'vitest';
import type { AuthzSession } from '../../src/ports/authz-session-store.ts';
import { type Contract, expectGone, hmacKey } from './store-subject.ts';

export const authzSessionStoreContract: Contract = (subject) =>
  describe('AuthzSessionStore', () => {
    const flow = (fields: Partial<AuthzSession> = {}): AuthzSession => ({
      issuer: 'https://op.example/t',
      step: 'auth',
      createdAt: 1,
      request: {
        clientId: 'app',
        redirectUri: 'https://app.example/cb',
        redirectUriGiven: true,
        responseType: ['code'],
        responseMode: 'query',
        scope: ['openid'],
        prompt: [],
        display: 'page',
        params: { client_id: 'app' },
      },
      ...fields,
    });

    it('gives a session back, with its subject session, to its tenant and key only', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const sid = await ports.authzSessions.create(tid, key, flow({ subSid: 'the-sso-session' }), 60);
      expect(await ports.authzSessions.get(tid, key, sid)).toEqual(flow({ subSid: 'the-sso-session' }));
      expect(await ports.authzSessions.get(other, key, sid)).toBeNull();
      expect(await ports.authzSessions.get(tid, hmacKey(), sid)).toBeNull();
    });

    it('updates in place while it lives, and not after', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const sid = await ports.authzSessions.create(tid, key, flow(), 1);
      expect(await ports.authzSessions.update(tid, sid, flow({ step: 'consent' }))).toBe(true);
      expect((await ports.authzSessions.get(tid, key, sid))?.step).toBe('consent');
      clock.advanceSeconds(1);
      await expectGone(() => ports.authzSessions.get(tid, key, sid));
      expect(await ports.authzSessions.update(tid, sid, flow())).toBe(false);
      expect(await ports.authzSessions.get(tid, key, sid)).toBeNull();
    });

    it('is taken once, however many race for it', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const sid = await ports.authzSessions.create(tid, key, flow(), 60);
      const taken = await Promise.all(Array.from({ length: 5 }, () => ports.authzSessions.take(tid, sid)));
      expect(taken.filter((t) => t !== null)).toEqual([flow()]);
      expect(await ports.authzSessions.get(tid, key, sid)).toBeNull();
    });
  });
