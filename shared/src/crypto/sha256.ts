import { hash } from 'node:crypto';
import { sodium } from './sodium.ts';

/** SHA-256 of a string's UTF-8 bytes: libsodium where it loads (about half node:crypto's cost per call), else node:crypto. */
export const sha256: (text: string) => Buffer = sodium
  ? ((s) => (text) => {
      const out = Buffer.allocUnsafe(32);
      s.crypto_hash_sha256(out, Buffer.from(text, 'utf8'));
      return out;
    })(sodium)
  : (text) => hash('sha256', text, 'buffer');
