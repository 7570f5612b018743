import { parRequired } from '../pushed-requests.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/** RFC 9126 §5, §6: tenant-wide or per client, requests must be pushed first. */
export const checkParRequired: Check<TrustedRequest> = (s) =>
  s.source !== 'pushed' && parRequired(s.context, s.client)
    ? refuse('invalid_request', 'PAR required: push the request to the pushed authorisation request endpoint first')
    : undefined;

/** RFC 9101 §10.5 `require_signed_request_object`: plain query parameters are not enough for this client. */
export const checkSignedRequestObject: Check<TrustedRequest> = (s) =>
  s.source === 'query' && s.client.metadata.require_signed_request_object === true
    ? refuse('invalid_request', 'The client must send a signed request object')
    : undefined;
