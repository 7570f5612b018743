import { HttpError } from '@tessera/shared/http/errors';
import { requestedResources, resourcesOfRequest } from '../../oauth/resource-indicators.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/**
 * RFC 8707 §2: the resources the tokens are for (`resource`, repeatable, or
 * one `audience`): each a resource server of the tenant the client may use,
 * else `invalid_target`; none named means the tenant's default resource, if
 * any. Where no resource servers are wired (narrow test fakes), a request
 * naming one is refused.
 */
export const checkResource: Check<TrustedRequest> = async (s) => {
  const lookup = s.deps.resourceServers;
  try {
    if (!lookup) return requestedResources(s.params) ? refuse('invalid_target', 'No resource is known') : undefined;
    s.established.resources = await resourcesOfRequest(lookup, s.context, s.client, s.params);
    return undefined;
  } catch (err) {
    if (err instanceof HttpError) return refuse(err.code, err.message);
    throw err;
  }
};
