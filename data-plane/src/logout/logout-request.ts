import type { Client } from '@tessera/shared/clients/client';
import { withParams } from '../authz/response-mode.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { checkLogoutHint, type HintClaims } from './id-token-hint.ts';

/** An end-session request (OpenID Connect RP-Initiated Logout 1.0 §2), checked. */
export interface LogoutRequest {
  /** The relying party: named by `client_id`, else the audience of the `id_token_hint`. */
  client?: Client;
  /** The registered `post_logout_redirect_uri` asked for, `state` appended. */
  postLogoutRedirectUri?: string;
  /** An `id_token_hint` was sent (even one ignored as HS* or `none` signed). */
  idTokenHintPresent: boolean;
  hint?: HintClaims;
  logoutHint?: string;
  uiLocales?: string[];
}

export type LogoutError = 'invalid_request' | 'invalid_id_token_hint';

export type ParsedLogoutRequest =
  | { ok: true; request: LogoutRequest }
  | { ok: false; error: LogoutError; description: string };

/** The parameters of the specification; others are ignored. */
const PARAMS = ['id_token_hint', 'client_id', 'post_logout_redirect_uri', 'state', 'logout_hint', 'ui_locales'];
/** The longest query accepted (an encrypted ID token fits well inside). */
const MAX_QUERY = 64 * 1024;

const refuse = (error: LogoutError, description: string): ParsedLogoutRequest => ({ ok: false, error, description });

/** Single values of the known parameters (empty ones dropped), or the names of those that were repeated. */
export function logoutParams(query: string): { params: Record<string, string>; repeated: string[] } {
  const params: Record<string, string> = {};
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)) {
    if (!PARAMS.includes(name)) continue;
    if (seen.has(name)) repeated.add(name);
    seen.add(name);
    if (value !== '') params[name] = value;
  }
  return { params, repeated: [...repeated] };
}

/** Which client the request is from: `client_id`, which must then be an audience of the hint; else the hint's only audience. */
async function identifyClient(
  context: TenantContext,
  deps: DataPlaneDeps,
  named: Client | undefined,
  hint: HintClaims | undefined,
): Promise<{ client?: Client } | ParsedLogoutRequest> {
  if (named) {
    if (hint && !hint.aud.includes(named.clientId))
      return refuse('invalid_id_token_hint', 'The client_id is not an audience of the id_token_hint');
    return { client: named };
  }
  if (hint?.aud.length !== 1) return {};
  const client = await deps.clients.get(context.tenant.tid, hint.aud[0]!);
  return client ? { client } : {};
}

/**
 * Read and check an end-session request: no parameter repeated; a
 * `client_id` of this tenant; an `id_token_hint` as id-token-hint.ts
 * checks it (`invalid_id_token_hint` otherwise); a
 * `post_logout_redirect_uri` only for an identified client that registered
 * exactly that URI. Every refusal is a non-redirecting error.
 */
export async function parseLogoutRequest(
  context: TenantContext,
  deps: DataPlaneDeps,
  query: string,
): Promise<ParsedLogoutRequest> {
  if (query.length > MAX_QUERY) return refuse('invalid_request', 'The request is too large');
  const { params, repeated } = logoutParams(query);
  if (repeated.length) return refuse('invalid_request', `Repeated parameter: ${repeated.join(', ')}`);
  let named: Client | undefined;
  if (params.client_id !== undefined) {
    named = (await deps.clients.get(context.tenant.tid, params.client_id)) ?? undefined;
    if (!named) return refuse('invalid_request', 'Unknown client_id');
  }
  let hint: HintClaims | undefined;
  if (params.id_token_hint !== undefined) {
    const outcome = await checkLogoutHint(context, deps, params.id_token_hint, named);
    if (outcome.kind === 'invalid') return refuse('invalid_id_token_hint', outcome.description);
    if (outcome.kind === 'valid') hint = outcome.claims;
  }
  const identified = await identifyClient(context, deps, named, hint);
  if ('ok' in identified) return identified;
  const { client } = identified;
  const uri = params.post_logout_redirect_uri;
  if (uri !== undefined) {
    if (!client)
      return refuse(
        'invalid_request',
        'A post_logout_redirect_uri needs a client_id or an id_token_hint naming the client',
      );
    const registered = client.metadata.post_logout_redirect_uris;
    if (!Array.isArray(registered) || !registered.includes(uri))
      return refuse('invalid_request', 'The post_logout_redirect_uri is not registered for the client');
  }
  return {
    ok: true,
    request: {
      ...(client ? { client } : {}),
      ...(uri !== undefined
        ? {
            postLogoutRedirectUri: params.state !== undefined ? withParams(uri, { state: params.state }, 'query') : uri,
          }
        : {}),
      idTokenHintPresent: params.id_token_hint !== undefined,
      ...(hint ? { hint } : {}),
      ...(params.logout_hint !== undefined ? { logoutHint: params.logout_hint } : {}),
      ...(params.ui_locales !== undefined ? { uiLocales: params.ui_locales.split(' ').filter(Boolean) } : {}),
    },
  };
}
