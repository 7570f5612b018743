import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { webUri } from './uris.ts';
import { boolean, stringArray } from './values.ts';

/** RFC 9101 §10.5 (Registration §2): https URIs the client may pass as request_uri. */
export const checkRequestUris: MetadataCheck = (s) => {
  if (!has(s, 'request_uris')) return;
  const uris = stringArray(s.body.request_uris, 'request_uris');
  for (const uri of uris) webUri(uri, 'request_uris', { httpsOnly: true, noFragment: false });
  s.metadata.request_uris = uris;
};

/** RFC 9126 §6 and RFC 9101 §10.5: booleans. */
export const checkRequestRequirements: MetadataCheck = (s) => {
  for (const member of ['require_pushed_authorization_requests', 'require_signed_request_object'] as const) {
    if (has(s, member)) s.metadata[member] = boolean(s.body[member], member);
  }
};

export const checkSignedRequestObjectAlg: MetadataCheck = (s) => {
  if (s.metadata.require_signed_request_object === true && s.metadata.request_object_signing_alg === 'none') {
    fail('require_signed_request_object contradicts request_object_signing_alg "none"');
  }
};
