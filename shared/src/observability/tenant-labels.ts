/** Label value of the tenants beyond a node's cap. */
export const OTHER_TENANTS = 'other';

/**
 * The `tenant` label values one node hands out: at most `max` distinct tids,
 * then `other`, so the series a node exports stay bounded however many
 * tenants it serves (a node of a large fleet sees a share of them; the cap is
 * a guard, not a sample). Callers pass only resolved tenants' ids (never an
 * id read from a URL that named no tenant) and `-` where none applies.
 */
export class TenantLabels {
  readonly #max: number;
  readonly #seen = new Set<string>();

  constructor(max: number = tenantLabelCap()) {
    this.#max = max;
  }

  of(tid: string): string {
    if (tid === '-' || this.#seen.has(tid)) return tid;
    if (this.#seen.size >= this.#max) return OTHER_TENANTS;
    this.#seen.add(tid);
    return tid;
  }
}

/** `TESSERA_METRICS_TENANT_LABELS`: distinct tenant label values per node and process (default 1000). */
export function tenantLabelCap(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.TESSERA_METRICS_TENANT_LABELS;
  if (raw === undefined || raw === '') return 1000;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new Error('TESSERA_METRICS_TENANT_LABELS must be a whole number');
  return n;
}
