import { describe, expect, it } from 'vitest';
import { PAR_URN_PREFIX } from '../../src/ports/pushed-request-store.ts';
import type { Contract } from './store-subject.ts';

export const pushedRequestStoreContract: Contract = (subject) =>
  describe('PushedRequestStore', () => {
    const params = { response_type: 'code', client_id: 'app', scope: 'openid' };

    it('hands out a fresh request URI, taken once by the client that pushed it', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const pushed = await ports.pushedRequests.put(tid, 'app', params, 60);
      expect(pushed.expires_in).toBe(60);
      expect(pushed.request_uri.startsWith(PAR_URN_PREFIX)).toBe(true);
      expect((await ports.pushedRequests.put(tid, 'app', params)).request_uri).not.toBe(pushed.request_uri);
      const taken = await Promise.all(
        Array.from({ length: 5 }, () => ports.pushedRequests.take(tid, 'app', pushed.request_uri)),
      );
      expect(taken.filter((t) => t !== null)).toEqual([params]);
    });

    it('refuses another tenant, another client (using it up), a malformed URI and an expired one', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const a = await ports.pushedRequests.put(tid, 'app', params, 60);
      expect(await ports.pushedRequests.take(other, 'app', a.request_uri)).toBeNull();
      expect(await ports.pushedRequests.take(tid, 'tool', a.request_uri)).toBeNull();
      expect(await ports.pushedRequests.take(tid, 'app', a.request_uri)).toBeNull();
      expect(await ports.pushedRequests.take(tid, 'app', 'https://app.example/request.jwt')).toBeNull();
      expect(await ports.pushedRequests.take(tid, 'app', `${PAR_URN_PREFIX}${'x'.repeat(200)}`)).toBeNull();
      const brief = await ports.pushedRequests.put(tid, 'app', params, 1);
      clock.advanceSeconds(1);
      expect(await ports.pushedRequests.take(tid, 'app', brief.request_uri)).toBeNull();
    });
  });
