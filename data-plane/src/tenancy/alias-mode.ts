import type { AliasMode } from '@tessera/shared/db/schema';
import type { Tenant } from '@tessera/shared/tenancy/tenant';

/*
 * Issuer alias modes (reference §9.3), per alias. The primary issuer and
 * MIGRATION aliases form one grant space: persisted consent and refresh
 * tokens work under any of them (new tokens are issued for the issuer of the
 * request). A PERSISTED_GRANT_ISOLATION alias is a space of its own: no
 * long-lived consent, only self-contained refresh tokens, and those only
 * under the alias that issued them.
 */

/** How `issuer` relates to the tenant: its primary, an alias in some mode, or (no longer) neither. */
export function issuerMode(tenant: Tenant, issuer: string): 'PRIMARY' | AliasMode | undefined {
  if (issuer === tenant.issuer) return 'PRIMARY';
  for (const alias of tenant.aliases) if (alias.issuer === issuer) return alias.mode;
  return undefined;
}

/** Whether requests under `issuer` keep their grants to themselves (PERSISTED_GRANT_ISOLATION). */
export function isolatesGrants(tenant: Tenant, issuer: string): boolean {
  return issuerMode(tenant, issuer) === 'PERSISTED_GRANT_ISOLATION';
}

/**
 * Whether a grant made under `issuedUnder` may be used under `requestIssuer`.
 * An issuer the tenant no longer has (an old URL after a migration) counts as
 * MIGRATION, so the grants made under it survive the move.
 */
export function sharesGrants(tenant: Tenant, issuedUnder: string, requestIssuer: string): boolean {
  if (issuedUnder === requestIssuer) return true;
  return !isolatesGrants(tenant, issuedUnder) && !isolatesGrants(tenant, requestIssuer);
}
