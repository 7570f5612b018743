import { generateKeyPairSync, hash, randomBytes, sign, verify } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ed25519Backend, ed25519Signer } from '../src/crypto/ed25519-signer.ts';
import { sha256 } from '../src/crypto/sha256.ts';

describe('SHA-256 (libsodium)', () => {
  it("gives node:crypto's digest of the UTF-8 bytes", () => {
    for (const text of ['', 'a', 'secret-é-€-😀', randomBytes(300).toString('base64'), 'x'.repeat(10_000)]) {
      expect(sha256(text).equals(hash('sha256', text, 'buffer'))).toBe(true);
    }
  });
});

describe('Ed25519 signer', () => {
  it('uses libsodium on this platform (the prebuilt addon loads)', () => {
    expect(ed25519Backend).toBe('libsodium');
  });

  it('gives the same signature bytes as node:crypto (RFC 8032 signatures are deterministic) and they verify', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const signer = ed25519Signer(privateKey);
    for (const length of [0, 1, 63, 64, 300, 5000]) {
      const input = randomBytes(length);
      const signature = signer(input);
      expect(signature).toHaveLength(64);
      expect(signature.equals(sign(null, input, privateKey))).toBe(true);
      expect(verify(null, input, publicKey, signature)).toBe(true);
    }
  });

  it("signs with its own key only: another key's public key does not verify it", () => {
    const a = generateKeyPairSync('ed25519');
    const b = generateKeyPairSync('ed25519');
    const input = Buffer.from('eyJhbGciOiJFZERTQSJ9.e30');
    const signature = ed25519Signer(a.privateKey)(input);
    expect(verify(null, input, b.publicKey, signature)).toBe(false);
    expect(signature.equals(ed25519Signer(b.privateKey)(input))).toBe(false);
  });

  it('refuses a key that is not Ed25519', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    expect(() => ed25519Signer(privateKey)).toThrow(/not an Ed25519/);
  });
});
