import { startIssuerRequestFlusher } from '../tenancy/issuer-requests.ts';
import type { Endpoint } from './endpoint.ts';

/**
 * No route: runs the flusher that adds this node's per-issuer request counts
 * (tenancy/issuer-requests.ts) to Redis every second, from start to close.
 * An entry of the endpoint table because that is where node services get
 * their dependencies and lifecycle.
 */
export const issuerRequestCounters: Endpoint = {
  name: 'issuer-request-counters',
  register(app, deps) {
    let stop: (() => Promise<void>) | undefined;
    app.addHook('onReady', async () => {
      stop = startIssuerRequestFlusher(deps.redis, 1000, (err) => app.log.warn({ err }, 'issuer request counters not flushed'));
    });
    app.addHook('onClose', async () => {
      await stop?.();
    });
  },
};
