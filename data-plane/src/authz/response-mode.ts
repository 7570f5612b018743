import type { Client } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { encodeJarmResponse } from './jarm.ts';

export const PLAIN_MODES = ['query', 'fragment', 'form_post'] as const;
export const JARM_MODES = ['query.jwt', 'fragment.jwt', 'form_post.jwt'] as const;
export type ResponseMode = (typeof PLAIN_MODES)[number] | (typeof JARM_MODES)[number];

/** Response modes that work (`jwt` is JARM's shorthand, resolved by the parser to query.jwt or fragment.jwt). */
export const SUPPORTED_RESPONSE_MODES: readonly string[] = [...PLAIN_MODES, ...JARM_MODES];
export const ADVERTISED_RESPONSE_MODES: readonly string[] = [...SUPPORTED_RESPONSE_MODES, 'jwt'];

/** The final message of the authorisation session API (contract §4). */
export interface ResponseMessage {
  type: 'response';
  mode: ResponseMode;
  parameters: { uri: string; form?: Record<string, string> };
  sub_sid?: string;
}

function withParams(uri: string, params: Record<string, string>, where: 'query' | 'fragment'): string {
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
  if (mode === 'query' || mode === 'fragment') return { type: 'response', mode, parameters: { uri: withParams(target.redirectUri, all, mode) } };
  // JARM (§2.3): one `response` parameter carrying every parameter (iss, aud and exp included) in a JWT.
  const jarm = { response: await encodeJarmResponse({ tenant: context, issuer, client, params, deps }) };
  if (mode === 'form_post.jwt') return { type: 'response', mode, parameters: { uri: target.redirectUri, form: jarm } };
  return { type: 'response', mode, parameters: { uri: withParams(target.redirectUri, jarm, mode === 'query.jwt' ? 'query' : 'fragment') } };
}
