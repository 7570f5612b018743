import { createHash } from 'node:crypto';
import { ALGORITHMS } from '../algorithms.ts';
import type { KeyAlgorithm } from '../key-store.ts';
import { CKM_EDDSA, CKZ_DATA_SPECIFIED, pkcs11js } from './pkcs11-module.ts';

/** DER-encoded curve OIDs for CKA_EC_PARAMS. */
export const EC_PARAMS: Record<string, Buffer> = {
  'P-256': Buffer.from('06082a8648ce3d030107', 'hex'),
  'P-384': Buffer.from('06052b81040022', 'hex'),
  'P-521': Buffer.from('06052b81040023', 'hex'),
  Ed25519: Buffer.from('06032b6570', 'hex'),
};

const HASH_MECH = {
  sha1: pkcs11js.CKM_SHA_1,
  sha256: pkcs11js.CKM_SHA256,
  sha384: pkcs11js.CKM_SHA384,
  sha512: pkcs11js.CKM_SHA512,
};
const MGF = {
  sha1: pkcs11js.CKG_MGF1_SHA1,
  sha256: pkcs11js.CKG_MGF1_SHA256,
  sha384: pkcs11js.CKG_MGF1_SHA384,
  sha512: pkcs11js.CKG_MGF1_SHA512,
};
const RSA_PKCS1 = {
  sha256: pkcs11js.CKM_SHA256_RSA_PKCS,
  sha384: pkcs11js.CKM_SHA384_RSA_PKCS,
  sha512: pkcs11js.CKM_SHA512_RSA_PKCS,
};
const RSA_PSS = {
  sha256: pkcs11js.CKM_SHA256_RSA_PKCS_PSS,
  sha384: pkcs11js.CKM_SHA384_RSA_PKCS_PSS,
  sha512: pkcs11js.CKM_SHA512_RSA_PKCS_PSS,
};
const DIGEST_BYTES = { sha1: 20, sha256: 32, sha384: 48, sha512: 64 };

/**
 * The mechanism that produces a JWS signature for `alg`, and the data to feed
 * it. ECDSA has no hash-and-sign mechanism in SoftHSM: hash here, sign the
 * digest with CKM_ECDSA, whose raw r||s output is what JWS wants.
 */
export function signingMechanism(
  alg: KeyAlgorithm,
  input: Uint8Array,
): { mechanism: { mechanism: number; parameter?: unknown }; data: Buffer } {
  const spec = ALGORITHMS[alg];
  if (spec.use !== 'sig') throw new Error(`${alg} is not a signing algorithm`);
  if (spec.kty === 'OKP') return { mechanism: { mechanism: CKM_EDDSA }, data: Buffer.from(input) };
  const hash = spec.hash as 'sha256' | 'sha384' | 'sha512';
  if (spec.kty === 'EC') {
    return { mechanism: { mechanism: pkcs11js.CKM_ECDSA }, data: createHash(hash).update(input).digest() };
  }
  if (spec.pss) {
    return {
      mechanism: {
        mechanism: RSA_PSS[hash],
        parameter: {
          type: pkcs11js.CK_PARAMS_RSA_PSS,
          hashAlg: HASH_MECH[hash],
          mgf: MGF[hash],
          saltLen: DIGEST_BYTES[hash],
        },
      },
      data: Buffer.from(input),
    };
  }
  return { mechanism: { mechanism: RSA_PKCS1[hash] }, data: Buffer.from(input) };
}

/**
 * How to undo RSA-OAEP for `alg`. SoftHSM 2.6 implements OAEP with SHA-1 only:
 * for RSA-OAEP-256 the token does the raw RSA private operation
 * (CKM_RSA_X_509) and the OAEP decoding happens here; the private key still
 * never leaves the token.
 */
export function oaepMechanism(alg: KeyAlgorithm): {
  mechanism: { mechanism: number; parameter?: unknown };
  decodeHere: 'sha256' | null;
} {
  const hash = ALGORITHMS[alg].hash as 'sha1' | 'sha256';
  if (hash === 'sha256') return { mechanism: { mechanism: pkcs11js.CKM_RSA_X_509 }, decodeHere: 'sha256' };
  return {
    mechanism: {
      mechanism: pkcs11js.CKM_RSA_PKCS_OAEP,
      parameter: {
        type: pkcs11js.CK_PARAMS_RSA_OAEP,
        hashAlg: HASH_MECH[hash],
        mgf: MGF[hash],
        source: CKZ_DATA_SPECIFIED,
      },
    },
    decodeHere: null,
  };
}

function mgf1(hash: 'sha256', seed: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let counter = 0, offset = 0; offset < length; counter++) {
    const c = Buffer.alloc(4);
    c.writeUInt32BE(counter);
    const block = createHash(hash).update(seed).update(c).digest();
    offset += block.copy(out, offset);
  }
  return out;
}

/** EME-OAEP decoding (RFC 8017 §7.1.2) with an empty label; one error for every failure. */
export function oaepDecode(hash: 'sha256', encoded: Buffer, modulusBytes: number): Buffer {
  const em = Buffer.alloc(modulusBytes);
  encoded.copy(em, modulusBytes - encoded.length);
  const hLen = 32;
  const maskedSeed = em.subarray(1, 1 + hLen);
  const maskedDb = em.subarray(1 + hLen);
  const seed = Buffer.from(maskedSeed.map((b, i) => b ^ mgf1(hash, maskedDb, hLen)[i]!));
  const dbMask = mgf1(hash, seed, maskedDb.length);
  const db = Buffer.from(maskedDb.map((b, i) => b ^ dbMask[i]!));
  const lHash = createHash(hash).digest();
  let bad = em[0]! | (lHash.equals(db.subarray(0, hLen)) ? 0 : 1);
  let separator = -1;
  for (let i = hLen; i < db.length; i++) {
    if (separator < 0 && db[i] === 1) separator = i;
    else if (separator < 0 && db[i] !== 0) bad |= 1;
  }
  if (bad || separator < 0) throw new Error('decryption error');
  return db.subarray(separator + 1);
}

/** The content of a DER OCTET STRING (CKA_EC_POINT comes back DER-wrapped). */
export function unwrapOctetString(der: Buffer): Buffer {
  if (der[0] !== 0x04) return der;
  let length = der[1]!;
  let offset = 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    length = 0;
    for (let i = 0; i < bytes; i++) length = (length << 8) | der[2 + i]!;
    offset = 2 + bytes;
  }
  return offset + length === der.length ? der.subarray(offset, offset + length) : der;
}

const b64u = (b: Buffer) => b.toString('base64url');
const unsigned = (b: Buffer) => {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  return b.subarray(i);
};

/** Public JWK members from the attributes of a token's public key object. */
export function publicJwkFrom(
  alg: KeyAlgorithm,
  attrs: { modulus?: Buffer; exponent?: Buffer; ecPoint?: Buffer },
): Record<string, string> {
  const spec = ALGORITHMS[alg];
  if (spec.kty === 'RSA') return { kty: 'RSA', n: b64u(unsigned(attrs.modulus!)), e: b64u(unsigned(attrs.exponent!)) };
  const point = unwrapOctetString(attrs.ecPoint!);
  if (spec.kty === 'OKP') return { kty: 'OKP', crv: 'Ed25519', x: b64u(point) };
  if (point[0] !== 0x04) throw new Error('compressed EC points are not supported');
  const size = (point.length - 1) / 2;
  return { kty: 'EC', crv: spec.crv!, x: b64u(point.subarray(1, 1 + size)), y: b64u(point.subarray(1 + size)) };
}
