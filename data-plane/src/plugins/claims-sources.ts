import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { ClaimsQuery, ClaimsSourceConfig, ClaimsSourceRun } from './claims-source.ts';
import { ldapClaimsSource } from './ldap-claims-source.ts';
import { unavailableKind } from './slot-answer.ts';
import { slotConfigOf } from './slot-config.ts';
import { webhookClaimsSource } from './webhook-claims-source.ts';

type Kind = ClaimsSourceConfig['type'];

/**
 * The kinds of claims source, by the slot config's `type`: the built-in
 * user directory, the tenant's LDAP directory (directory/ldap-directory.ts)
 * a webhook, or (self-hosted) a module with the webhook's contract, which
 * the same run calls (call-slot.ts). One line each.
 */
export const CLAIMS_SOURCES: { readonly [K in Kind]?: ClaimsSourceRun<Extract<ClaimsSourceConfig, { type: K }>> } = {
  directory: (deps, context, _config, query) => deps.directory.claims(context.tenant.tid, query.sub),
  ldap: ldapClaimsSource,
  webhook: webhookClaimsSource,
  module: webhookClaimsSource,
};

/**
 * The subject's claims from the tenant's claims source: the built-in
 * directory when the slot is not configured (no lookup beyond today's), else
 * the configured kind. A kind this node cannot run is a 503, never a silent
 * fallback to the directory.
 */
export function sourceClaims(
  deps: DataPlaneDeps,
  context: TenantContext,
  query: ClaimsQuery,
): Promise<Record<string, unknown> | null> {
  const config = slotConfigOf(context, 'claimsSource');
  if (!config) return deps.directory.claims(context.tenant.tid, query.sub);
  const run = CLAIMS_SOURCES[config.type] as ClaimsSourceRun | undefined;
  if (!run) return Promise.reject(unavailableKind('claimsSource', config.type));
  return run(deps, context, config, query);
}
