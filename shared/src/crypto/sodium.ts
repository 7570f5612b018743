import { createRequire } from 'node:module';

export type Sodium = typeof import('sodium-native').default;

/**
 * libsodium (sodium-native), if its prebuilt addon loads on this platform;
 * undefined otherwise, and callers fall back to node:crypto. It is used where
 * OpenSSL 3's per-call EVP set-up costs more than the operation itself on the
 * token endpoint (Ed25519 signatures, SHA-256 of short strings); the results
 * are the same bytes either way.
 */
export const sodium: Sodium | undefined = (() => {
  try {
    return createRequire(import.meta.url)('sodium-native') as Sodium;
  } catch {
    return undefined;
  }
})();
