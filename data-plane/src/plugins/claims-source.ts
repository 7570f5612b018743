import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { SlotConfig } from './slot-config.ts';

/** What a claims source is asked: whose claims, which, and for which client and scope. */
export interface ClaimsQuery {
  sub: string;
  /** Claim names wanted (a `name#locale` stays as asked). */
  names: readonly string[];
  clientId: string;
  scope: readonly string[];
  locales: readonly string[];
}

export type ClaimsSourceConfig = SlotConfig<'claimsSource'>;

/**
 * One kind of claims source (`type` of the claimsSource slot's config,
 * registered in claims-sources.ts): the subject's claims (localised ones as
 * `name#tag`), null for an unknown subject. The caller keeps only the names
 * asked for (authz/claims-request.ts selectClaims).
 */
export type ClaimsSourceRun<C extends ClaimsSourceConfig = ClaimsSourceConfig> = (
  deps: DataPlaneDeps,
  context: TenantContext,
  config: C,
  query: ClaimsQuery,
) => Promise<Record<string, unknown> | null>;
