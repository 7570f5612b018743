import { createCipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MasterKey, masterKeyId } from '../../src/crypto/master-key.ts';

const A = Buffer.alloc(32, 1);
const B = Buffer.alloc(32, 2);
const C = Buffer.alloc(32, 3);

/** A value in the format written before key ids (`v1.<iv>.<ct>`), as stored rows still hold it. */
function sealV1(key: Buffer, plaintext: string, aad: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `v1.${iv.toString('base64url')}.${ct.toString('base64url')}`;
}

describe('master key rotation', () => {
  it('names the sealing key by a short fingerprint that differs per key and reveals nothing of it', () => {
    const a = new MasterKey(A);
    expect(a.kid).toMatch(/^[A-Za-z0-9_-]{11}$/);
    expect(a.kid).toBe(masterKeyId(A));
    expect(new MasterKey(B).kid).not.toBe(a.kid);
    expect(A.toString('base64url')).not.toContain(a.kid);
    expect(a.seal(Buffer.from('x'), 'c').split('.').slice(0, 2)).toEqual(['v2', a.kid]);
  });

  it('reads v1 values under the current key and under a previous one', () => {
    expect(new MasterKey(A).openText(sealV1(A, 'one', 't/1'), 't/1')).toBe('one');
    const rotated = new MasterKey(B, [C, A]);
    expect(rotated.openText(sealV1(A, 'two', 't/2'), 't/2')).toBe('two');
    expect(rotated.openText(sealV1(B, 'three', 't/3'), 't/3')).toBe('three');
    expect(() => new MasterKey(B).openText(sealV1(A, 'four', 't/4'), 't/4')).toThrow();
  });

  it('opens v2 values by their kid with a previous key, and seals only with the current one', () => {
    const old = new MasterKey(A);
    const sealed = old.sealText('secret', 'tenant-a/k1');
    const rotated = new MasterKey(B, [A]);
    expect(rotated.openText(sealed, 'tenant-a/k1')).toBe('secret');
    expect(rotated.isCurrent(sealed)).toBe(false);
    const fresh = rotated.sealText('secret', 'tenant-a/k1');
    expect(fresh.split('.')[1]).toBe(masterKeyId(B));
    expect(rotated.isCurrent(fresh)).toBe(true);
    // The old key alone cannot read what the new one sealed.
    expect(() => old.openText(fresh, 'tenant-a/k1')).toThrow(/unknown master key/);
  });

  it('refuses a value whose key is not held, and a kid pointing at the wrong key', () => {
    const sealed = new MasterKey(A).sealText('secret', 'c');
    expect(() => new MasterKey(B).openText(sealed, 'c')).toThrow(/unknown master key/);
    expect(() => new MasterKey(B, [C]).openText(sealed, 'c')).toThrow(/unknown master key/);
    const forged = sealed.replace(masterKeyId(A), masterKeyId(B));
    expect(() => new MasterKey(B, [A]).openText(forged, 'c')).toThrow();
    expect(() => new MasterKey(A).openText('v3.x.y.z', 'c')).toThrow(/unrecognised/);
    expect(() => new MasterKey(A).openText(`v2.${masterKeyId(A)}.abc.de`, 'c')).toThrow();
  });

  it('still binds each value to its owner, under a previous key too', () => {
    const sealed = new MasterKey(A).sealText('secret', 'tenant-a/k1');
    const rotated = new MasterKey(B, [A]);
    expect(() => rotated.openText(sealed, 'tenant-b/k1')).toThrow();
    expect(() => rotated.openText(sealV1(A, 'secret', 'tenant-a/k1'), 'tenant-b/k1')).toThrow();
    const resealed = rotated.reseal(sealed, 'tenant-a/k1')!;
    expect(() => rotated.openText(resealed, 'tenant-b/k1')).toThrow();
  });

  it('reseals to the current key, and leaves values already under it alone', () => {
    const rotated = new MasterKey(B, [A]);
    const resealed = rotated.reseal(sealV1(A, 'secret', 'c'), 'c');
    expect(resealed).not.toBeNull();
    expect(rotated.isCurrent(resealed!)).toBe(true);
    expect(new MasterKey(B).openText(resealed!, 'c')).toBe('secret');
    expect(rotated.reseal(resealed!, 'c')).toBeNull();
    // A v1 value sealed under the current key is re-sealed too: it carries no kid yet.
    expect(rotated.reseal(sealV1(B, 'secret', 'c'), 'c')).not.toBeNull();
  });

  it('derives from the current key only', () => {
    expect(new MasterKey(B, [A]).derive('x').equals(new MasterKey(B).derive('x'))).toBe(true);
    expect(new MasterKey(B, [A]).derive('x').equals(new MasterKey(A).derive('x'))).toBe(false);
  });

  it('reads previous keys from the environment, inline or from a file', () => {
    const a = A.toString('base64url');
    const c = C.toString('base64url');
    const sealedA = new MasterKey(A).sealText('a', 'c');
    const sealedC = new MasterKey(C).sealText('c', 'c');
    const inline = MasterKey.fromEnv({
      TESSERA_MASTER_KEY: B.toString('base64url'),
      TESSERA_MASTER_KEY_PREVIOUS: `${a}, ${c}`,
    });
    expect(inline.kid).toBe(masterKeyId(B));
    expect(inline.openText(sealedA, 'c')).toBe('a');
    expect(inline.openText(sealedC, 'c')).toBe('c');
    const file = join(mkdtempSync(join(tmpdir(), 'master-key-')), 'previous');
    writeFileSync(file, `${a}\n`);
    const fromFile = MasterKey.fromEnv({
      TESSERA_MASTER_KEY: B.toString('base64url'),
      TESSERA_MASTER_KEY_PREVIOUS_FILE: file,
    });
    expect(fromFile.openText(sealedA, 'c')).toBe('a');
    expect(() => fromFile.openText(sealedC, 'c')).toThrow(/unknown master key/);
    expect(() =>
      MasterKey.fromEnv({ TESSERA_MASTER_KEY: B.toString('base64url'), TESSERA_MASTER_KEY_PREVIOUS: 'short' }),
    ).toThrow(/32 bytes/);
    expect(
      MasterKey.fromEnv({ TESSERA_MASTER_KEY: B.toString('base64url'), TESSERA_MASTER_KEY_PREVIOUS: '' }).kid,
    ).toBe(masterKeyId(B));
  });
});
