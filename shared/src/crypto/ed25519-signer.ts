import { type KeyObject, sign } from 'node:crypto';
import { sodium } from './sodium.ts';

/** Signs a JWS signing input with one Ed25519 private key; returns the 64-byte signature. */
export type Ed25519Sign = (input: Uint8Array) => Buffer;

/*
 * Ed25519 signatures are deterministic (RFC 8032 §5.1.6), so libsodium and
 * OpenSSL produce the same bytes for the same key and input; libsodium just
 * does it without OpenSSL 3's per-call EVP context set-up, which on the token
 * endpoint costs more than the signature itself (measured: 23 µs against
 * 55 µs per signature in a loop, more in a busy server).
 */
export const ed25519Backend: 'libsodium' | 'node:crypto' = sodium ? 'libsodium' : 'node:crypto';

/**
 * A signer for an Ed25519 private key. With libsodium the 64-byte secret
 * key (seed and public key) is expanded once into guarded memory and the
 * seed copy is wiped; otherwise node:crypto signs with the KeyObject.
 */
export function ed25519Signer(privateKey: KeyObject): Ed25519Sign {
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('not an Ed25519 private key');
  if (!sodium) return (input) => sign(null, input, privateKey);
  const s = sodium;
  const seed = s.sodium_malloc(s.crypto_sign_SEEDBYTES);
  Buffer.from(privateKey.export({ format: 'jwk' }).d!, 'base64url').copy(seed);
  const secretKey = s.sodium_malloc(s.crypto_sign_SECRETKEYBYTES);
  const publicKey = Buffer.alloc(s.crypto_sign_PUBLICKEYBYTES);
  s.crypto_sign_seed_keypair(publicKey, secretKey, seed);
  s.sodium_memzero(seed);
  return (input) => {
    const signature = Buffer.allocUnsafe(s.crypto_sign_BYTES);
    s.crypto_sign_detached(signature, input, secretKey);
    return signature;
  };
}
