import { ASYMMETRIC_ALGS, assertionClaims, assertionClientId, verifyClientAssertion } from './client-assertion.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';

/** RFC 7523 client assertion signed with a key of the client's `jwks` / `jwks_uri`. */
export const privateKeyJwt: ClientAuthMethod = {
  name: 'private_key_jwt',
  claims: assertionClaims,
  clientId: assertionClientId,
  authenticate: (input, client) => verifyClientAssertion(input, client, 'key'),
  signingAlgorithms: ASYMMETRIC_ALGS,
};
