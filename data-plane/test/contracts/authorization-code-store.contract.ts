import { mintIdentifier } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import type { CodeRecord } from '../../src/ports/authorization-code-store.ts';
import { epochSeconds } from '../../src/ports/clock.ts';
import { authorization, type Contract, expectGone, hmacKey } from './store-subject.ts';

export const authorizationCodeStoreContract: Contract = (subject) =>
  describe('AuthorizationCodeStore', () => {
    const record = (exp: number): CodeRecord => ({
      authz: authorization(),
      redirectUri: 'https://app.example/cb',
      redirectUriGiven: true,
      codeChallenge: 'c',
      codeChallengeMethod: 'S256',
      exp,
    });

    it('gives the record back to its tenant and key, and leaves it there until it expires', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const issued = record(epochSeconds(clock) + 60);
      const code = await ports.codes.issue(tid, key, issued, 60);
      expect(await ports.codes.get(tid, key, code)).toEqual(issued);
      expect(await ports.codes.get(tid, key, code)).toEqual(issued);
      expect(await ports.codes.get(other, key, code)).toBeNull();
      expect(await ports.codes.get(tid, hmacKey(), code)).toBeNull();
      expect(await ports.codes.get(tid, key, mintIdentifier(key, 'code'))).toBeNull();
      expect(await ports.codes.get(tid, key, mintIdentifier(key, 'at'))).toBeNull();
    });

    it('refuses a code past its exp by the clock, and forgets it after its TTL', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const key = hmacKey();
      const past = await ports.codes.issue(tid, key, record(epochSeconds(clock) + 30), 600);
      const brief = await ports.codes.issue(tid, key, record(epochSeconds(clock) + 600), 1);
      clock.advanceSeconds(30);
      expect(await ports.codes.get(tid, key, past)).toBeNull();
      await expectGone(() => ports.codes.get(tid, key, brief));
    });

    it('is used once: of racing redemptions exactly one wins, and later ones lose', async () => {
      const { ports, clock, tenant } = subject();
      const [tid, other] = [await tenant(), await tenant()];
      const key = hmacKey();
      const code = await ports.codes.issue(tid, key, record(epochSeconds(clock) + 60), 60);
      const results = await Promise.all(Array.from({ length: 5 }, () => ports.codes.markUsed(tid, code)));
      expect(results.filter(Boolean)).toHaveLength(1);
      clock.advanceSeconds(120);
      expect(await ports.codes.markUsed(tid, code)).toBe(false);
      expect(await ports.codes.markUsed(other, code)).toBe(true);
    });
  });
