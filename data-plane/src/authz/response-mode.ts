import type { Client } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { encodeJarmResponse } from './jarm.ts';
import type { ResponseMode } from './response-mode-names.ts';

export {
  ADVERTISED_RESPONSE_MODES,
  JARM_MODES,
  PLAIN_MODES,
  type ResponseMode,
  SUPPORTED_RESPONSE_MODES,
} from './response-mode-names.ts';

/** The final message of the authorisation session API (contract §4). */
export interface ResponseMessage {
  type: 'response';
  mode: ResponseMode;
  parameters: { uri: string; form?: Record<string, string> };
  sub_sid?: string;
}

/** `uri` with `params` added to its query (or as its fragment), its own parameters kept as they are. */
export function withParams(uri: string, params: Record<string, string>, where: 'query' | 'fragment'): string {
  const encoded = new URLSearchParams(params).toString();
  if (where === 'fragment') return `${uri}#${encoded}`;
  return `${uri}${uri.includes('?') ? '&' : '?'}${encoded}`;
}

/**
 * The authorisation response for the client, in its response mode. Every
 * response carries `iss` (RFC 9207) — inside the JWT for the JARM modes
 * (encoded by jarm.ts: signed per the client's
 * authorization_signed_response_alg, optionally encrypted to it).
 */
export async function authorizationResponse(
  context: TenantContext,
  issuer: string,
  deps: DataPlaneDeps,
  client: Client,
  target: { redirectUri: string; responseMode: ResponseMode },
  params: Record<string, string>,
): Promise<ResponseMessage> {
  const all = { ...params, iss: issuer };
  const mode = target.responseMode;
  if (mode === 'form_post') return { type: 'response', mode, parameters: { uri: target.redirectUri, form: all } };
  if (mode === 'query' || mode === 'fragment')
    return { type: 'response', mode, parameters: { uri: withParams(target.redirectUri, all, mode) } };
  // JARM (§2.3): one `response` parameter carrying every parameter (iss, aud and exp included) in a JWT.
  const jarm = { response: await encodeJarmResponse({ tenant: context, issuer, client, params, deps }) };
  if (mode === 'form_post.jwt') return { type: 'response', mode, parameters: { uri: target.redirectUri, form: jarm } };
  return {
    type: 'response',
    mode,
    parameters: { uri: withParams(target.redirectUri, jarm, mode === 'query.jwt' ? 'query' : 'fragment') },
  };
}
