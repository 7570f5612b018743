import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';

/**
 * DPoP proofs (RFC 9449) for the load generator: one P-256 key, a fresh
 * proof (new jti, current iat) for every request. Synchronous, since
 * autocannon's setupRequest is: the header is encoded once, each proof costs
 * one ECDSA signature in the load generator's process, not the server's.
 */
export function dpopProofs(htm: string, htu: string): { next(): string; jkt: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' }) as { kty: string; crv: string; x: string; y: string };
  const header = Buffer.from(JSON.stringify({ typ: 'dpop+jwt', alg: 'ES256', jwk })).toString('base64url');
  const jkt = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }))
    .digest('base64url');
  return {
    jkt,
    next() {
      const payload = Buffer.from(
        JSON.stringify({ jti: randomUUID(), htm, htu, iat: Math.floor(Date.now() / 1000) }),
      ).toString('base64url');
      const input = `${header}.${payload}`;
      const signature = sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      return `${input}.${signature.toString('base64url')}`;
    },
  };
}
