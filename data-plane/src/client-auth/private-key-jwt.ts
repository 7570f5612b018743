import { verifyClientCertificate } from '../plugins/private-key-jwt-cert-verifier.ts';
import { ASYMMETRIC_ALGS, assertionClaims, assertionClientId, verifyClientAssertion } from './client-assertion.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';

/**
 * RFC 7523 client assertion signed with a key of the client's `jwks` /
 * `jwks_uri`; then the tenant's certificate verifier, if it has one, judges
 * the X.509 chain of that key.
 */
export const privateKeyJwt: ClientAuthMethod = {
  name: 'private_key_jwt',
  claims: assertionClaims,
  clientId: assertionClientId,
  async authenticate(input, client) {
    const verified = await verifyClientAssertion(input, client, 'key');
    const checking = verifyClientCertificate(input, client, verified);
    if (checking) await checking;
  },
  signingAlgorithms: ASYMMETRIC_ALGS,
};
