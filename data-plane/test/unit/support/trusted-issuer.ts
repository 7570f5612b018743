import { exportJWK, generateKeyPair } from 'jose';

/**
 * An outside issuer the tenant trusts (its config.trustedIssuers entry, one
 * ES256 key by JWKS) and the private key it signs with.
 */
export async function trustedIssuer(issuer: string, kid: string, uses: string[], more: Record<string, unknown> = {}) {
  const key = await generateKeyPair('ES256');
  const entry = {
    issuer,
    jwks: { keys: [{ ...(await exportJWK(key.publicKey)), kid }] },
    algorithms: ['ES256'],
    uses,
    ...more,
  };
  return { privateKey: key.privateKey, entry };
}
