import { mintIdentifier } from '@tessera/shared/tokens/identifiers';
import { describe, expect, it } from 'vitest';
import type { IdentifierTokenRecord } from '../../src/ports/access-token-store.ts';
import { epochSeconds } from '../../src/ports/clock.ts';
import { authorization, type Contract, expectGone, hmacKey } from './store-subject.ts';

export const accessTokenStoreContract: Contract = (subject) =>
  describe('AccessTokenStore', () => {
    const record = (exp: number): IdentifierTokenRecord => ({
      authz: authorization(),
      iss: 'https://op.example/t',
      iat: exp - 60,
      exp,
      jti: 'j1',
    });

    it('returns what was put, under its tenant only', async () => {
      const { ports, clock, tenant } = subject();
      const [a, b] = [await tenant(), await tenant()];
      const token = mintIdentifier(hmacKey(), 'at');
      const put = record(epochSeconds(clock) + 600);
      await ports.accessTokens.put(a, token, put);
      expect(await ports.accessTokens.get(a, token)).toEqual(put);
      expect(await ports.accessTokens.get(b, token)).toBeNull();
      expect(await ports.accessTokens.get(a, mintIdentifier(hmacKey(), 'at'))).toBeNull();
    });

    it('keeps a record until its exp, not after', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const [long, short] = [mintIdentifier(hmacKey(), 'at'), mintIdentifier(hmacKey(), 'at')];
      await ports.accessTokens.put(tid, long, record(epochSeconds(clock) + 600));
      await ports.accessTokens.put(tid, short, record(epochSeconds(clock) + 1));
      clock.advanceSeconds(1);
      await expectGone(() => ports.accessTokens.get(tid, short));
      clock.advanceSeconds(598);
      expect(await ports.accessTokens.get(tid, long)).not.toBeNull();
    });

    it('deletes, idempotently', async () => {
      const { ports, clock, tenant } = subject();
      const tid = await tenant();
      const token = mintIdentifier(hmacKey(), 'at');
      await ports.accessTokens.put(tid, token, record(epochSeconds(clock) + 600));
      await ports.accessTokens.delete(tid, token);
      await ports.accessTokens.delete(tid, token);
      expect(await ports.accessTokens.get(tid, token)).toBeNull();
    });
  });
