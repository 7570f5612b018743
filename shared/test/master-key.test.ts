import { describe, expect, it } from 'vitest';
import { MasterKey } from '../src/crypto/master-key.ts';

describe('master key sealing', () => {
  const key = new MasterKey(Buffer.alloc(32, 7));

  it('opens what it sealed, under the same context only', () => {
    const sealed = key.seal(Buffer.from('private key bytes'), 'tenant-a/k1');
    expect(sealed.startsWith(`v2.${key.kid}.`)).toBe(true);
    expect(sealed).not.toContain('private');
    expect(key.open(sealed, 'tenant-a/k1').toString()).toBe('private key bytes');
    expect(() => key.open(sealed, 'tenant-b/k1')).toThrow();
  });

  it('seals text as its UTF-8 bytes, opened as text under the same context only', () => {
    const sealed = key.sealText('sécret-ünïcode', 'tenant-a/webhook');
    expect(key.open(sealed, 'tenant-a/webhook').equals(Buffer.from('sécret-ünïcode', 'utf8'))).toBe(true);
    expect(key.openText(sealed, 'tenant-a/webhook')).toBe('sécret-ünïcode');
    expect(() => key.openText(sealed, 'tenant-b/webhook')).toThrow();
  });

  it('uses a fresh IV every time and detects tampering', () => {
    const a = key.seal(Buffer.from('x'), 'c');
    const b = key.seal(Buffer.from('x'), 'c');
    expect(a).not.toBe(b);
    const parts = a.split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    expect(() => key.open(`${parts[0]}.${parts[1]}.${parts[2]}.${ct.toString('base64url')}`, 'c')).toThrow();
  });

  it('refuses a key of the wrong size and a value sealed under another key', () => {
    expect(() => new MasterKey(Buffer.alloc(16))).toThrow(/32 bytes/);
    const other = new MasterKey(Buffer.alloc(32, 8));
    expect(() => other.open(key.seal(Buffer.from('x'), 'c'), 'c')).toThrow();
    expect(() => MasterKey.fromEnv({ TESSERA_MASTER_KEY: 'short' })).toThrow(/32 bytes/);
  });
});
