import { randomBytes } from 'node:crypto';
import { CompactEncrypt, compactDecrypt } from 'jose';
import { describe, expect, it } from 'vitest';
import { decryptDirectJwe, encryptDirectJwe } from '../../src/crypto/direct-jwe.ts';

const key = randomBytes(32);
const payload = JSON.stringify({ authz: { sub: 'alice', scp: ['openid'] }, iat: 1_700_000_000, note: 'é ✓' });

describe('direct JWE (dir + A256GCM)', () => {
  it('is ordinary compact JWE: jose opens what it makes, with the header it was given', async () => {
    const token = encryptDirectJwe(key, { cty: 'tessera-rt' }, payload);
    expect(token.split('.').map((part) => part.length > 0)).toEqual([true, false, true, true, true]);
    const { plaintext, protectedHeader } = await compactDecrypt(token, key);
    expect(Buffer.from(plaintext).toString('utf8')).toBe(payload);
    expect(protectedHeader).toEqual({ alg: 'dir', enc: 'A256GCM', cty: 'tessera-rt' });
  });

  it('opens what jose makes', async () => {
    const token = await new CompactEncrypt(Buffer.from(payload))
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', cty: 'tessera-rt' })
      .encrypt(key);
    expect(decryptDirectJwe(key, token)).toEqual({
      header: { alg: 'dir', enc: 'A256GCM', cty: 'tessera-rt' },
      plaintext: payload,
    });
  });

  it('uses a fresh IV for every token', () => {
    const ivs = new Set(Array.from({ length: 50 }, () => encryptDirectJwe(key, {}, payload).split('.')[2]));
    expect(ivs.size).toBe(50);
  });

  it('refuses another key, a changed byte in any part, and other shapes or algorithms', async () => {
    const token = encryptDirectJwe(key, { cty: 'tessera-rt' }, payload);
    expect(decryptDirectJwe(randomBytes(32), token)).toBeNull();
    const parts = token.split('.');
    for (const index of [0, 2, 3, 4]) {
      const changed = [...parts];
      const part = Buffer.from(changed[index]!, 'base64url');
      part[0]! ^= 1;
      changed[index] = part.toString('base64url');
      expect(decryptDirectJwe(key, changed.join('.')), `part ${index}`).toBeNull();
    }
    expect(decryptDirectJwe(key, parts.slice(0, 4).join('.'))).toBeNull();
    expect(decryptDirectJwe(key, [parts[0], 'AAAA', ...parts.slice(2)].join('.'))).toBeNull();
    const cbc = await new CompactEncrypt(Buffer.from(payload))
      .setProtectedHeader({ alg: 'dir', enc: 'A128CBC-HS256' })
      .encrypt(randomBytes(32));
    expect(decryptDirectJwe(key, cbc)).toBeNull();
    const crit = encryptDirectJwe(key, { crit: 'exp' } as Record<string, string>, payload);
    expect(decryptDirectJwe(key, crit)).toBeNull();
    expect(decryptDirectJwe(key, 'not.a.jwe.at.all')).toBeNull();
  });
});
