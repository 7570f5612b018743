import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';
import { DirectorySource } from './directory-source.ts';
import { LdapSource } from './ldap-source.ts';

/**
 * Who checks a username and password: for the password grant and the hosted
 * sign-in page alike. The built-in directory (default), LDAP or a webhook.
 */
export const passwordGrant = {
  name: 'passwordGrant',
  title: 'Password grant handler',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(DirectorySource, LdapSource),
} as const satisfies SlotDefinition;
