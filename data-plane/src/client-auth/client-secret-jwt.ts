import { assertionClaims, assertionClientId, HMAC_ALGS, verifyClientAssertion } from './client-assertion.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';

/** RFC 7523 client assertion signed with the client secret as HMAC key. */
export const clientSecretJwt: ClientAuthMethod = {
  name: 'client_secret_jwt',
  claims: assertionClaims,
  clientId: assertionClientId,
  authenticate: (input, client) => verifyClientAssertion(input, client, 'secret'),
  signingAlgorithms: HMAC_ALGS,
};
