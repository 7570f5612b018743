import type { ClientMetadata } from '../client.ts';
import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { isObject, string } from './values.ts';

const PREFERRED_CLIENT_ID = /^[A-Za-z0-9._~-]{1,80}$/;

/** Connect2id `refresh_client_secret`: a boolean, meaningful on update only. */
export const checkRefreshClientSecret: MetadataCheck = (s) => {
  if (!has(s, 'refresh_client_secret')) return;
  if (typeof s.body.refresh_client_secret !== 'boolean') fail('refresh_client_secret must be a boolean');
  s.result.refreshClientSecret = s.update && s.body.refresh_client_secret === true;
};

/** Connect2id `preferred_client_id`: the master token's privilege, at registration only. */
export const checkPreferredClientId: MetadataCheck = (s) => {
  if (!has(s, 'preferred_client_id')) return;
  if (!s.options.privileged) fail('preferred_client_id requires the registration master token');
  if (s.update) fail('preferred_client_id can only be given at registration');
  const id = string(s.body.preferred_client_id, 'preferred_client_id');
  if (!PREFERRED_CLIENT_ID.test(id)) fail('preferred_client_id must be at most 80 characters of A-Z a-z 0-9 . _ ~ -');
  s.result.preferredClientId = id;
};

/** Connect2id `data`: a JSON object, set with the master token only. */
export const checkData: MetadataCheck = (s) => {
  if (!has(s, 'data')) return;
  if (!s.options.privileged) fail('data requires the registration master token');
  if (!isObject(s.body.data)) fail('data must be a JSON object');
  s.metadata.data = s.body.data as ClientMetadata['data'];
};
