import type { Policy } from '../policy.ts';

/** Where usage is counted: in memory, added to Redis by a timer (metering/usage-counts.ts). */
export interface UsageCounter {
  record(tid: string, usage: readonly (string | undefined)[]): void;
}

/**
 * Metering (docs/billing.md): what the steps of an exchange said it used
 * (Exchange.meter — tokens by grant type, authorisations, sign-ins,
 * introspections, and their subjects) is counted for its tenant once the
 * answer is a success (below 400): a refused or failed request uses
 * nothing. A map update, never I/O.
 */
export function meterUsage(counter: UsageCounter): Policy {
  return {
    name: 'meterUsage',
    after(x, answer) {
      const { usage } = x;
      if (usage === undefined || answer.status >= 400) return;
      const tenant = x.request.tenant;
      if (tenant !== undefined) counter.record(tenant.tenant.tid, usage);
    },
  };
}
