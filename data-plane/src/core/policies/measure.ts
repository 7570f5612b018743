import type { Policy } from '../policy.ts';

/** Records one answered request (shared/src/observability/metrics.ts). */
export type ObserveRequest = (
  tenant: string,
  route: string,
  method: string,
  statusCode: number,
  seconds: number,
) => void;

/**
 * Request count by tenant (`-` where none applies), route pattern, method
 * and status, and latency by route and method, from the request's arrival to
 * its answer. Route patterns, not raw paths, keep label cardinality bounded.
 */
export function measure(observe: ObserveRequest): Policy {
  return {
    name: 'measure',
    after(x, answer) {
      const { request } = x;
      observe(
        request.tenant?.tenant.tid ?? '-',
        x.route.path,
        request.method,
        answer.status,
        (performance.now() - request.receivedAt) / 1000,
      );
    },
  };
}
