import type { ClientAuthMethod } from './client-auth-method.ts';

/** Public clients: only a client_id, and only where the client registered `none`. */
export const none: ClientAuthMethod = {
  name: 'none',
  claims: (input) =>
    input.params.client_id !== undefined &&
    input.params.client_secret === undefined &&
    input.params.client_assertion === undefined &&
    !input.request.headers.authorization?.toLowerCase().startsWith('basic '),
  clientId: (input) => input.params.client_id,
  authenticate() {
    // Nothing to verify: the registry has checked that the client registered "none".
  },
};
