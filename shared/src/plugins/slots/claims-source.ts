import type { SlotDefinition } from '../slot.ts';
import { slotConfig } from '../webhook-target.ts';
import { DirectorySource } from './directory-source.ts';
import { LdapSource } from './ldap-source.ts';

/** Where UserInfo and ID token claims come from: the built-in directory (default), LDAP or a webhook. */
export const claimsSource = {
  name: 'claimsSource',
  title: 'Claims source',
  available: true,
  failure: 'closed',
  idempotent: true,
  timeoutMs: 2000,
  schema: slotConfig(DirectorySource, LdapSource),
} as const satisfies SlotDefinition;
