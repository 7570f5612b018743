import { describe, expect, it } from 'vitest';
import { normaliseUserCode } from '../../src/device/user-code.ts';
import type { DeviceRequest } from '../../src/ports/device-request-store.ts';
import { authorization, type Contract, hmacKey } from './store-subject.ts';

export const deviceRequestStoreContract: Contract = (subject) =>
  describe('DeviceRequestStore', () => {
    const now = () => Math.floor(subject().clock.now() / 1000);
    const request = (fields: Partial<DeviceRequest> = {}): DeviceRequest => ({
      issuer: 'https://op.example/t',
      clientId: 'tv',
      scope: ['openid'],
      exp: now() + 600,
      interval: 5,
      ...fields,
    });
    const approval = { authz: authorization({ cid: 'tv' }), authTime: 1, amr: ['pwd'] };

    it('mints a tagged device code and a readable user code, found only in its tenant', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const asked = request();
      const { deviceCode, userCode } = await ports.deviceRequests.create(tid, key, asked);
      expect(deviceCode).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(normaliseUserCode(userCode)).toBe(userCode);
      expect(await ports.deviceRequests.findByUserCode(other, userCode)).toBeNull();
      expect((await ports.deviceRequests.findByUserCode(tid, userCode))?.request).toEqual(asked);
      expect(await ports.deviceRequests.poll(other, key, deviceCode, 'tv')).toBeNull();
      expect(await ports.deviceRequests.poll(tid, hmacKey(), deviceCode, 'tv')).toBeNull();
      expect(await ports.deviceRequests.poll(tid, key, deviceCode, 'not-the-tv')).toBeNull();
      expect(await ports.deviceRequests.poll(tid, key, deviceCode, 'tv')).toEqual({
        status: 'pending',
        request: asked,
      });
    });

    it('answers slow_down to a poll within the interval and adds 5 s, once however many race', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { deviceCode } = await ports.deviceRequests.create(tid, key, request());
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('pending');
      clock.advanceSeconds(2);
      const raced = await Promise.all(
        Array.from({ length: 3 }, () => ports.deviceRequests.poll(tid, key, deviceCode, 'tv')),
      );
      expect(raced.map((p) => p?.status)).toEqual(['slow_down', 'slow_down', 'slow_down']);
      expect(raced.map((p) => p?.request.interval).sort()).toEqual([10, 15, 20]);
      clock.advanceSeconds(20);
      expect(await ports.deviceRequests.poll(tid, key, deviceCode, 'tv')).toMatchObject({
        status: 'pending',
        request: { interval: 20 },
      });
    });

    it('hands an approval out once; later polls hear used', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { deviceCode, userCode } = await ports.deviceRequests.create(tid, key, request());
      const found = await ports.deviceRequests.findByUserCode(tid, userCode);
      const decided = await Promise.all([
        ports.deviceRequests.approve(tid, found!.handle, approval),
        ports.deviceRequests.deny(tid, found!.handle),
      ]);
      expect(decided).toEqual([true, false]);
      expect(await ports.deviceRequests.findByUserCode(tid, userCode)).toBeNull();
      const polls = await Promise.all([
        ports.deviceRequests.poll(tid, key, deviceCode, 'tv'),
        ports.deviceRequests.poll(tid, key, deviceCode, 'tv'),
      ]);
      expect(polls.map((p) => p?.status).sort()).toEqual(['approved', 'used']);
      expect(polls.find((p) => p?.status === 'approved')).toMatchObject({ approval });
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('used');
    });

    it('answers wrong_key, changing nothing, to a poll without the DPoP key the request is bound to', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { deviceCode, userCode } = await ports.deviceRequests.create(tid, key, request({ dpopJkt: 'jkt-a' }));
      const found = await ports.deviceRequests.findByUserCode(tid, userCode);
      expect(await ports.deviceRequests.approve(tid, found!.handle, approval)).toBe(true);
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('wrong_key');
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv', 'jkt-b'))?.status).toBe('wrong_key');
      expect(await ports.deviceRequests.poll(tid, key, deviceCode, 'tv', 'jkt-a')).toMatchObject({
        status: 'approved',
        approval,
      });
    });

    it('keeps a denial', async () => {
      const { ports, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { deviceCode, userCode } = await ports.deviceRequests.create(tid, key, request());
      const found = await ports.deviceRequests.findByUserCode(tid, userCode);
      expect(await ports.deviceRequests.deny(tid, found!.handle)).toBe(true);
      expect(await ports.deviceRequests.approve(tid, found!.handle, approval)).toBe(false);
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('denied');
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('denied');
    });

    it('expires at exp: the user code finds nothing, decisions fail, polls hear expired', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { deviceCode, userCode } = await ports.deviceRequests.create(tid, key, request({ exp: now() + 60 }));
      const found = await ports.deviceRequests.findByUserCode(tid, userCode);
      clock.advanceSeconds(60);
      expect(await ports.deviceRequests.findByUserCode(tid, userCode)).toBeNull();
      expect(await ports.deviceRequests.approve(tid, found!.handle, approval)).toBe(false);
      expect((await ports.deviceRequests.poll(tid, key, deviceCode, 'tv'))?.status).toBe('expired');
    });
  });
