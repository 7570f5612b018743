import { oauthError } from '../oauth/oauth-error.ts';
import { clientSecretMatches } from '../plugins/client-secret-codec.ts';
import type { ClientAuthMethod } from './client-auth-method.ts';

/** RFC 6749 §2.3.1: client_id and client_secret in the form body. */
export const clientSecretPost: ClientAuthMethod = {
  name: 'client_secret_post',
  claims: (input) => input.params.client_secret !== undefined,
  clientId: (input) => input.params.client_id,
  authenticate(input, client) {
    const fail = () => oauthError('invalid_client', 'Client authentication failed');
    // Synchronous unless the client's secret is kept hashed (plugins/client-secret-codec.ts).
    const match = clientSecretMatches(client, input.params.client_secret ?? '', new Date(input.deps.oauth.clock.now()));
    if (match === true) return;
    if (match === false) throw fail();
    return match.then((ok) => {
      if (!ok) throw fail();
    });
  },
};
