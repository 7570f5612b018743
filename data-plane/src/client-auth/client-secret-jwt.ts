import { refuseHashedForJwt } from '../plugins/client-secret-codec.ts';
import { assertionClaims, assertionClientId, HMAC_ALGS, verifyClientAssertion } from './client-assertion.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';

/** RFC 7523 client assertion signed with the client secret as HMAC key. */
export const clientSecretJwt: ClientAuthMethod = {
  name: 'client_secret_jwt',
  claims: assertionClaims,
  clientId: assertionClientId,
  async authenticate(input, client) {
    refuseHashedForJwt(client);
    await verifyClientAssertion(input, client, 'secret');
  },
  signingAlgorithms: HMAC_ALGS,
};
