import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { dangerousScheme, webUri } from './uris.ts';
import { string, stringArray } from './values.ts';

const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
export const PAGE_URI_MEMBERS = ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const;

export const checkClientName: MetadataCheck = (s) => {
  if (has(s, 'client_name')) s.metadata.client_name = string(s.body.client_name, 'client_name');
};

/** Pages shown to the end-user: http or https. */
export const checkPageUris: MetadataCheck = (s) => {
  for (const member of PAGE_URI_MEMBERS) {
    if (has(s, member)) s.metadata[member] = webUri(s.body[member], member, { httpsOnly: false, noFragment: false });
  }
};

/** RFC 7591 §2: scope tokens separated by single spaces (what the tenant allows is the registration endpoint's policy). */
export const checkScope: MetadataCheck = (s) => {
  if (!has(s, 'scope')) return;
  const scope = string(s.body.scope, 'scope');
  if (!SCOPE.test(scope)) fail('scope must be scope tokens separated by single spaces');
  s.metadata.scope = scope;
};

/** Free-form, but never a script URI. */
export const checkContacts: MetadataCheck = (s) => {
  if (!has(s, 'contacts')) return;
  const contacts = stringArray(s.body.contacts, 'contacts');
  for (const contact of contacts) {
    const scheme = dangerousScheme(contact);
    if (scheme) fail(`contacts must not use the ${scheme}: scheme`);
  }
  s.metadata.contacts = contacts;
};

export const checkSoftware: MetadataCheck = (s) => {
  if (has(s, 'software_id')) s.metadata.software_id = string(s.body.software_id, 'software_id');
  if (has(s, 'software_version')) s.metadata.software_version = string(s.body.software_version, 'software_version');
};
