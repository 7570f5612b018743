import { LdapDirectory } from '../directory/ldap-directory.ts';
import type { PasswordCheckConfig, PasswordCheckRun } from './password-check.ts';

/**
 * The password handler as the tenant's LDAP directory (docs/plugins/ldap.md):
 * a bind as the one entry the escaped name finds. Null for wrong
 * credentials and unknown names alike; fails closed (503) when the
 * directory cannot answer.
 */
export const ldapPasswordCheck: PasswordCheckRun<Extract<PasswordCheckConfig, { type: 'ldap' }>> = (
  deps,
  context,
  config,
  attempt,
) => new LdapDirectory(deps).authenticate(context.tenant.tid, config, attempt.username, attempt.password);
