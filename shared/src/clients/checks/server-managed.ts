import { fail, has, type MetadataCheck, SERVER_MANAGED_MEMBERS } from './metadata-check.ts';
import { string } from './values.ts';

/** Connect2id members this server does not implement; kept out so a secret never lands in plain metadata. */
export const UNSUPPORTED_MEMBERS: Readonly<Record<string, string>> = {
  preferred_client_secret: 'preferred_client_secret is not supported: the server generates client secrets',
  encoded_client_secret: 'encoded_client_secret is read-only and not supported',
};

/**
 * Members only the server sets: refused at registration; on update
 * `client_id` is required and it and `client_secret` are returned for the
 * caller to compare, the other four are ignored (RFC 7592 §2.2).
 */
export const checkServerManagedMembers: MetadataCheck = (s) => {
  for (const name of SERVER_MANAGED_MEMBERS) {
    if (!has(s, name)) continue;
    if (s.update && name === 'client_id') s.result.clientId = string(s.body[name], 'client_id');
    else if (s.update && name === 'client_secret') s.result.clientSecret = string(s.body[name], 'client_secret');
    else if (!s.update) fail(`${name} is assigned by the server and must not be sent`);
  }
  if (s.update && s.result.clientId === undefined) fail('client_id is required in an update request (RFC 7592 §2.2)');
};

export const checkUnsupportedMembers: MetadataCheck = (s) => {
  for (const [name, why] of Object.entries(UNSUPPORTED_MEMBERS)) if (has(s, name)) fail(why);
};
