import type { Endpoint } from '../core/endpoint.ts';

/**
 * Back-Channel Logout 1.0 as the provider metadata advertises it. It has no
 * route of its own: the provider calls the clients (logout/session-ended.ts
 * queues the notices, logout/backchannel-delivery.ts delivers them), and
 * every logout token carries `sid`.
 */
export const backchannelLogout: Endpoint = {
  name: 'backchannel-logout',
  area: 'back-channel',
  routes: () => [],
  metadata: () => ({
    backchannel_logout_supported: true,
    backchannel_logout_session_supported: true,
  }),
};
