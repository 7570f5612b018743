// The part of sodium-native (libsodium bindings) Tessera uses; the package ships no types of its own.
declare module 'sodium-native' {
  const sodium: {
    readonly crypto_sign_BYTES: number;
    readonly crypto_sign_SEEDBYTES: number;
    readonly crypto_sign_PUBLICKEYBYTES: number;
    readonly crypto_sign_SECRETKEYBYTES: number;
    /** Guarded memory: page-aligned, locked, with guard pages, zeroed when freed. */
    sodium_malloc(size: number): Buffer;
    sodium_memzero(buffer: Buffer): void;
    crypto_sign_seed_keypair(publicKey: Buffer, secretKey: Buffer, seed: Buffer): void;
    crypto_sign_detached(signature: Buffer, message: Buffer | Uint8Array, secretKey: Buffer): void;
    crypto_hash_sha256(out: Buffer, input: Buffer): void;
    crypto_sign_verify_detached(signature: Buffer, message: Buffer | Uint8Array, publicKey: Buffer): boolean;
  };
  export default sodium;
}
