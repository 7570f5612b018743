import { createHmac, timingSafeEqual } from 'node:crypto';

/** The request header that carries a webhook's signature. */
export const SIGNATURE_HEADER = 'tessera-signature';

/** How far a signature's timestamp may be from the receiver's clock, seconds. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const mac = (secret: string, timestamp: number, body: string) =>
  createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');

/**
 * `Tessera-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`,
 * the scheme of every webhook call and event delivery. The timestamp is signed
 * too, so a captured call cannot be replayed outside the tolerance window.
 */
export function signatureHeader(secret: string | readonly string[], body: string, nowSeconds: number): string {
  // Several secrets during a rotation's overlap: one `v1` each, current first (verifySignature accepts any).
  const secrets = typeof secret === 'string' ? [secret] : secret;
  return [`t=${nowSeconds}`, ...secrets.map((s) => `v1=${mac(s, nowSeconds, body)}`)].join(',');
}

/**
 * What a receiver does (docs/plugins/webhooks.md shows the same in a few
 * lines): check the timestamp is recent and the MAC matches in constant time.
 * Several `v1` values may appear (during a secret rotation); one must match.
 */
export function verifySignature(
  secret: string,
  body: string,
  header: string | undefined,
  nowSeconds: number,
  toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS,
): boolean {
  if (!header) return false;
  let timestamp: number | undefined;
  const macs: string[] = [];
  for (const part of header.split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) macs.push(value);
  }
  if (timestamp === undefined || Math.abs(nowSeconds - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(mac(secret, timestamp, body), 'hex');
  return macs.some((m) => timingSafeEqual(Buffer.from(m, 'hex'), expected));
}
