import { LdapDirectory } from '../directory/ldap-directory.ts';
import type { ClaimsSourceConfig, ClaimsSourceRun } from './claims-source.ts';

/**
 * The claims source as the tenant's LDAP directory (docs/plugins/ldap.md):
 * the entry whose `subjectAttribute` is the subject, its attributes mapped
 * to claims. Fails closed (503) when the directory cannot answer. The
 * directory object holds nothing but the deps: one connection per call.
 */
export const ldapClaimsSource: ClaimsSourceRun<Extract<ClaimsSourceConfig, { type: 'ldap' }>> = (
  deps,
  context,
  config,
  query,
) => new LdapDirectory(deps).claims(context.tenant.tid, config, query.sub);
