import { createCipheriv, createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { ClientMetadata } from '../clients/client.ts';

/**
 * Pairwise subject identifiers (OpenID Connect Core §8.1), reversible by
 * the server: a deterministic authenticated encryption of the local subject
 * under the tenant's `subject-enc` secret with the sector as associated
 * data, in the SIV style (RFC 5297's construction with HMAC-SHA-256 and
 * AES-256-CTR, as node:crypto has no AES-SIV):
 *
 *   siv = HMAC(kmac, sector ‖ 0x00 ‖ padded)[0..16]
 *   sub = base64url(siv ‖ AES-CTR(kenc, iv = siv, padded))
 *
 * The same local subject always gives the same identifier in one sector
 * and unrelated ones in two sectors; the local subject is padded to a fixed
 * size first, so every identifier has the same length (192 characters) and
 * its length tells nothing about the local one.
 */

const PADDED_BYTES = 128;
const SIV_BYTES = 16;
/** The longest local subject (UTF-8 bytes) that fits the padding with its length byte. */
export const MAX_LOCAL_SUBJECT_BYTES = PADDED_BYTES - 1;

export class PairwiseError extends Error {}

const keys = new WeakMap<Uint8Array, { mac: Buffer; enc: Buffer }>();
/** Two independent keys from the tenant secret (HKDF-SHA-256, one per use). */
function subkeys(secret: Uint8Array) {
  let k = keys.get(secret);
  if (!k) {
    k = {
      mac: Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tessera pairwise subject mac', 32)),
      enc: Buffer.from(hkdfSync('sha256', secret, Buffer.alloc(0), 'tessera pairwise subject enc', 32)),
    };
    keys.set(secret, k);
  }
  return k;
}

const siv = (mac: Buffer, sectorId: string, padded: Buffer) =>
  createHmac('sha256', mac)
    .update(Buffer.from(sectorId, 'utf8'))
    .update(Buffer.of(0))
    .update(padded)
    .digest()
    .subarray(0, SIV_BYTES);
const ctr = (enc: Buffer, iv: Buffer, data: Buffer) => {
  const cipher = createCipheriv('aes-256-ctr', enc, iv);
  return Buffer.concat([cipher.update(data), cipher.final()]);
};

/** The pairwise subject of `localSub` in `sectorId`, under the tenant's `subject-enc` secret. */
export function pairwiseSubject(key: Uint8Array, sectorId: string, localSub: string): string {
  const bytes = Buffer.from(localSub, 'utf8');
  if (bytes.length === 0 || bytes.length > MAX_LOCAL_SUBJECT_BYTES)
    throw new PairwiseError(`a local subject must be 1 to ${MAX_LOCAL_SUBJECT_BYTES} bytes`);
  const padded = Buffer.alloc(PADDED_BYTES);
  padded[0] = bytes.length;
  bytes.copy(padded, 1);
  const { mac, enc } = subkeys(key);
  const iv = siv(mac, sectorId, padded);
  return Buffer.concat([iv, ctr(enc, iv, padded)]).toString('base64url');
}

/** The local subject behind a pairwise subject of `sectorId`, or null when it is not one (forged, or of another sector or tenant). */
export function localSubjectOf(key: Uint8Array, sectorId: string, pairwiseSub: string): string | null {
  if (!/^[A-Za-z0-9_-]+$/.test(pairwiseSub)) return null;
  const raw = Buffer.from(pairwiseSub, 'base64url');
  if (raw.length !== SIV_BYTES + PADDED_BYTES) return null;
  const { mac, enc } = subkeys(key);
  const iv = raw.subarray(0, SIV_BYTES);
  const padded = ctr(enc, iv, raw.subarray(SIV_BYTES));
  if (!timingSafeEqual(siv(mac, sectorId, padded), iv)) return null;
  const length = padded[0]!;
  if (length === 0 || length > MAX_LOCAL_SUBJECT_BYTES || padded.subarray(1 + length).some((b) => b !== 0)) return null;
  return padded.subarray(1, 1 + length).toString('utf8');
}

/**
 * A client's sector identifier (OpenID Connect Core §8.1): a provider-managed
 * `urn:c2id:sector_id:` URN as it is, else the host of its
 * `sector_identifier_uri`, else the host of its (single-host) redirect URIs.
 */
export function sectorIdentifierOf(metadata: ClientMetadata): string {
  const uri = metadata.sector_identifier_uri;
  if (typeof uri === 'string') return uri.startsWith('urn:') ? uri : new URL(uri).host;
  const redirect = metadata.redirect_uris?.[0];
  if (!redirect) throw new PairwiseError('a pairwise client needs a sector_identifier_uri or a redirect URI');
  return new URL(redirect).host;
}

/** The subject a client sees for `localSub`: pairwise for `subject_type=pairwise` clients, the local one otherwise. */
export function subjectForClient(key: Uint8Array, metadata: ClientMetadata, localSub: string): string {
  return metadata.subject_type === 'pairwise' ? pairwiseSubject(key, sectorIdentifierOf(metadata), localSub) : localSub;
}
