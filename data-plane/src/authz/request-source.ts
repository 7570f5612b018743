import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { PAR_URN_PREFIX } from './pushed-requests.ts';
import { decodeRequestObject, fetchRequestObject } from './request-object.ts';

export type ResolvedParams =
  | {
      ok: true;
      params: Record<string, string>;
      /** How the parameters came: in the query, in a request object (`request` or a fetched `request_uri`), or pushed (PAR). */
      source: 'query' | 'object' | 'pushed';
    }
  | { ok: false; error: string; description: string };

/**
 * Where the parameters of an authorisation request come from (RFC 9101
 * §5, §6.3; RFC 9126 §4): the query itself; a request object by value
 * (`request`) or by reference (`request_uri`, https, registered by the
 * client), decoded by request-object.ts — then only its parameters count;
 * or a pushed request (`request_uri` = PAR URN, single-use, bound to the
 * client), from pushed-requests.ts. `client_id` must be in the query.
 */
export async function resolveRequestObject(
  context: TenantContext,
  issuer: string,
  deps: DataPlaneDeps,
  params: Record<string, string>,
): Promise<ResolvedParams> {
  const { request, request_uri: requestUri } = params;
  if (request === undefined && requestUri === undefined) return { ok: true, params, source: 'query' };
  if (request !== undefined && requestUri !== undefined)
    return { ok: false, error: 'invalid_request', description: 'request and request_uri cannot both be used' };
  const clientId = params.client_id;
  if (!clientId) return { ok: false, error: 'invalid_request', description: 'Missing client_id' };
  const client: Client | undefined = await deps.clients.get(context.tenant.tid, clientId);
  if (!client) return { ok: false, error: 'invalid_client', description: 'Unknown client' };
  try {
    if (requestUri?.startsWith(PAR_URN_PREFIX)) {
      const pushed = await deps.oauth.pushedRequests.take(context.tenant.tid, clientId, requestUri);
      if (!pushed)
        return {
          ok: false,
          error: 'invalid_request_uri',
          description: 'The request_uri is unknown, expired or already used',
        };
      return { ok: true, params: { ...pushed, client_id: clientId }, source: 'pushed' };
    }
    const jwt = request ?? (await fetchRequestObject(client, requestUri!, deps.outbound));
    const decoded = await decodeRequestObject({ tenant: context, issuer, client, jwt, deps });
    return { ok: true, params: { ...decoded, client_id: clientId }, source: 'object' };
  } catch (err) {
    if (err instanceof HttpError) return { ok: false, error: err.code, description: err.message };
    throw err;
  }
}
