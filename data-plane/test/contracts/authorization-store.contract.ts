import { describe, expect, it } from 'vitest';
import { authorization, type Contract, hmacKey } from './store-subject.ts';

export const authorizationStoreContract: Contract = (subject) =>
  describe('AuthorizationStore', () => {
    it('keeps one authorisation per subject and client: an upsert replaces it in place, its refresh tokens survive', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const { id, refreshToken } = await ports.authorizations.upsertWithRefreshToken(tid, authorization(), {
        hmacKey: key,
        expiresAt: null,
      });
      const first = await ports.authorizations.get(tid, id);
      expect(first?.authz.scp).toEqual(['openid', 'read']);
      clock.advanceSeconds(10);
      expect(await ports.authorizations.upsert(tid, authorization({ scp: ['openid'] }))).toBe(id);
      const second = await ports.authorizations.get(tid, id);
      expect(second?.authz.scp).toEqual(['openid']);
      expect(second?.createdAt).toEqual(first?.createdAt);
      expect(second!.updatedAt.getTime() - first!.updatedAt.getTime()).toBe(10_000);
      expect((await ports.refreshTokens.find(tid, key, refreshToken))?.authorizationId).toBe(id);
    });

    it('finds, lists subjects and clients, sorted, within the tenant', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      await ports.authorizations.upsert(tid, authorization({ sub: 'bob', cid: 'app' }));
      clock.advanceSeconds(1);
      await ports.authorizations.upsert(tid, authorization({ sub: 'alice', cid: 'app' }));
      clock.advanceSeconds(1);
      await ports.authorizations.upsert(tid, authorization({ sub: 'alice', cid: 'tool' }));
      await ports.authorizations.upsert(other, authorization({ sub: 'carol', cid: 'app' }));
      expect((await ports.authorizations.find(tid, { cid: 'app' })).map((s) => s.authz.sub)).toEqual(['bob', 'alice']);
      expect((await ports.authorizations.find(tid, { sub: 'alice', cid: 'tool' })).map((s) => s.authz.cid)).toEqual([
        'tool',
      ]);
      expect(await ports.authorizations.subjects(tid)).toEqual(['alice', 'bob']);
      expect(await ports.authorizations.subjects(tid, { cid: 'tool' })).toEqual(['alice']);
      expect(await ports.authorizations.clients(tid, { sub: 'alice' })).toEqual(['app', 'tool']);
      expect(await ports.authorizations.clients(other)).toEqual(['app']);
    });

    it('deletes what matches, with its refresh tokens, and never everything', async () => {
      const { ports, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const { refreshToken } = await ports.authorizations.upsertWithRefreshToken(tid, authorization(), {
        hmacKey: key,
        expiresAt: null,
      });
      const kept = await ports.authorizations.upsert(tid, authorization({ cid: 'tool' }));
      await ports.authorizations.upsert(other, authorization());
      await expect(ports.authorizations.delete(tid, {})).rejects.toThrow();
      const deleted = await ports.authorizations.delete(tid, { sub: 'alice', cid: 'app' });
      expect(deleted.map((d) => d.authz.cid)).toEqual(['app']);
      expect(await ports.refreshTokens.find(tid, key, refreshToken)).toBeNull();
      expect(await ports.authorizations.get(tid, kept)).toBeDefined();
      expect(await ports.authorizations.clients(other)).toEqual(['app']);
      expect(await ports.authorizations.delete(tid, { id: kept })).toHaveLength(1);
    });

    it('revokes as of a time: older authorisations go; newer ones lose only older refresh tokens', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const old = await ports.authorizations.upsertWithRefreshToken(tid, authorization({ cid: 'old' }), {
        hmacKey: key,
        expiresAt: null,
      });
      const renewed = await ports.authorizations.upsertWithRefreshToken(tid, authorization({ cid: 'renewed' }), {
        hmacKey: key,
        expiresAt: null,
      });
      clock.advanceSeconds(5);
      const before = new Date(clock.now());
      clock.advanceSeconds(5);
      await ports.authorizations.upsert(tid, authorization({ cid: 'renewed', scp: ['read'] }));
      const fresh = await ports.refreshTokens.issue(tid, key, renewed.id, null);
      const deleted = await ports.authorizations.deleteBefore(tid, { sub: 'alice' }, before);
      expect(deleted.map((d) => d.authz.cid)).toEqual(['old']);
      expect(await ports.refreshTokens.find(tid, key, old.refreshToken)).toBeNull();
      expect(await ports.refreshTokens.find(tid, key, renewed.refreshToken)).toBeNull();
      expect((await ports.refreshTokens.find(tid, key, fresh))?.authorizationId).toBe(renewed.id);
      await expect(ports.authorizations.deleteBefore(tid, {}, before)).rejects.toThrow();
    });
  });
