import type { Client } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

export const PLAIN_MODES = ['query', 'fragment', 'form_post'] as const;
export const JARM_MODES = ['query.jwt', 'fragment.jwt', 'form_post.jwt'] as const;
export type ResponseMode = (typeof PLAIN_MODES)[number] | (typeof JARM_MODES)[number];

/** Response modes that work (advertised in discovery; `jwt` is JARM's shorthand, resolved by the parser). */
export const SUPPORTED_RESPONSE_MODES: readonly string[] = [...PLAIN_MODES];

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
 * response carries `iss` (RFC 9207) — inside the JWT for the JARM modes.
 */
export async function authorizationResponse(
  _context: TenantContext,
  issuer: string,
  _deps: DataPlaneDeps,
  _client: Client,
  target: { redirectUri: string; responseMode: ResponseMode },
  params: Record<string, string>,
): Promise<ResponseMessage> {
  const all = { ...params, iss: issuer };
  const mode = target.responseMode;
  if (mode === 'form_post') return { type: 'response', mode, parameters: { uri: target.redirectUri, form: all } };
  if (mode === 'query' || mode === 'fragment') return { type: 'response', mode, parameters: { uri: withParams(target.redirectUri, all, mode) } };
  throw new Error(`response mode ${mode} is not available`);
}
