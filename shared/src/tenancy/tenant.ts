import type { Plan } from '../billing/plan.ts';
import type { TenantConfig } from '../config/tenant-config.ts';
import type { AliasMode, TenantStatus } from '../db/schema.ts';

export interface IssuerAlias {
  issuer: string;
  mode: AliasMode;
}

/** A tenant as both planes see it: the row, its current config and its aliases. */
export interface Tenant {
  tid: string;
  name: string;
  issuer: string;
  status: TenantStatus;
  /** Why the tenant is in its status (e.g. what made provisioning fail); null when there is nothing to say. */
  statusReason: string | null;
  plan: string;
  /** The plan's quotas and monthly caps, read with the tenant: a plan change re-announces its tenants (docs/billing.md). */
  limits: Pick<Plan, 'quotas' | 'monthly_caps'>;
  attrs: Record<string, unknown>;
  configVersion: number;
  config: TenantConfig;
  aliases: IssuerAlias[];
  createdAt: Date;
  updatedAt: Date;
}

/** Statuses under which the data plane serves a tenant's endpoints. */
export const SERVED_STATUSES: ReadonlySet<TenantStatus> = new Set(['provisioning', 'active']);
