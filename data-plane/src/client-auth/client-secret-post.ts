import { oauthError } from '../oauth/oauth-error.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';
import { secretMatches } from './secret-match.ts';

/** RFC 6749 §2.3.1: client_id and client_secret in the form body. */
export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',
  claims: (input) => input.params.client_secret !== undefined,
  clientId: (input) => input.params.client_id,
  authenticate(input, client) {
    if (!secretMatches(client, input.params.client_secret ?? '', new Date(input.deps.oauth.clock.now())))
      throw oauthError('invalid_client', 'Client authentication failed');
  },
};
