import type { Policy } from '../policy.ts';

/** Where requests per (tenant, issuer) are counted: in memory, added to Redis by a timer (tenancy/issuer-requests.ts). */
export interface IssuerRequestCounter {
  count(tid: string, issuer: string): void;
}

/**
 * Count every request served for a tenant under the issuer (primary or
 * alias) it came in on — the issuer migration workflow reads these counts to
 * tell when an old URL has gone quiet. A map update, never I/O.
 */
export function countIssuerRequest(counter: IssuerRequestCounter): Policy {
  return {
    name: 'countIssuerRequest',
    before(x) {
      const { tenant, issuer } = x.request;
      if (tenant !== undefined && issuer !== undefined) counter.count(tenant.tenant.tid, issuer);
    },
  };
}
