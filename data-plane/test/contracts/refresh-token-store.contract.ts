import { randomUUID } from 'node:crypto';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import { authorization, type Contract, hmacKey } from './store-subject.ts';

export const refreshTokenStoreContract: Contract = (subject) =>
  describe('RefreshTokenStore', () => {
    it('issues tokens of an existing authorisation only, found by their tenant and key only, kept as a SHA-256', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const id = await ports.authorizations.upsert(tid, authorization());
      const expiresAt = new Date(clock.now() + 3600_000);
      const token = await ports.refreshTokens.issue(tid, key, id, expiresAt);
      const row = await ports.refreshTokens.find(tid, key, token);
      expect(row).toEqual({
        tokenHash: tokenHash(token),
        authorizationId: id,
        issuedAt: new Date(clock.now()),
        expiresAt,
        lastUsedAt: null,
        rotatedAt: null,
      });
      expect(await ports.refreshTokens.find(other, key, token)).toBeNull();
      expect(await ports.refreshTokens.find(tid, hmacKey(), token)).toBeNull();
      const forged = `${token.slice(0, 5)}${token[5] === 'A' ? 'B' : 'A'}${token.slice(6)}`;
      expect(await ports.refreshTokens.find(tid, key, forged)).toBeNull();
      await expect(ports.refreshTokens.issue(tid, key, randomUUID(), null)).rejects.toThrow();
    });

    it('returns expired rows as they are: judging them is the caller’s', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const id = await ports.authorizations.upsert(tid, authorization());
      const expiresAt = new Date(clock.now() + 1000);
      const token = await ports.refreshTokens.issue(tid, key, id, expiresAt);
      clock.advanceSeconds(3600);
      expect((await ports.refreshTokens.find(tid, key, token))?.expiresAt).toEqual(expiresAt);
    });

    it('records uses; a rotation happens once, however many race for it', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const id = await ports.authorizations.upsert(tid, authorization());
      const token = await ports.refreshTokens.issue(tid, key, id, null);
      const used = new Date(clock.now() + 1000);
      await ports.refreshTokens.markUsed(tokenHash(token), used);
      expect((await ports.refreshTokens.find(tid, key, token))?.lastUsedAt).toEqual(used);
      const at = new Date(clock.now() + 2000);
      const results = await Promise.all(
        Array.from({ length: 5 }, () => ports.refreshTokens.markRotated(tokenHash(token), at)),
      );
      expect(results.filter(Boolean)).toHaveLength(1);
      const row = await ports.refreshTokens.find(tid, key, token);
      expect(row?.rotatedAt).toEqual(at);
      expect(row?.lastUsedAt).toEqual(at);
    });
  });
