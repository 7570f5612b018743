import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { Client } from '@tessera/shared/clients/client';
import { localSubjectOf, sectorIdentifierOf } from '@tessera/shared/tokens/pairwise';
import { authMethodOf, grantTypesOf } from '@tessera/shared/clients/client';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import { defaultScope, scopeOutside } from '../grants/scope.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { parseClaimsRequest, type ClaimsRequest } from './claims-request.ts';
import { SUPPORTED_RESPONSE_MODES, type ResponseMode } from './response-mode.ts';
import { parRequired } from './pushed-requests.ts';
import { resolveRequestObject } from './request-source.ts';

/** A validated OAuth 2.0 / OpenID Connect authorisation request (the parts the flow uses). */
export interface AuthorizationRequest {
  clientId: string;
  /** The redirect URI the response goes to (registered, matched exactly). */
  redirectUri: string;
  /** Whether the request named it (then the token request must repeat it). */
  redirectUriGiven: boolean;
  /** The response type words, in the canonical order code, id_token, token. */
  responseType: string[];
  responseMode: ResponseMode;
  scope: string[];
  state?: string;
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod?: 'S256' | 'plain';
  prompt: string[];
  maxAge?: number;
  idTokenHint?: string;
  /** The subject of a valid `id_token_hint`. */
  hintSub?: string;
  loginHint?: string;
  acrValues?: string[];
  claims?: ClaimsRequest;
  uiLocales?: string[];
  claimsLocales?: string[];
  display: string;
  /** Every parameter of the (resolved) request, single-valued. */
  params: Record<string, string>;
}

/** Where an error can be sent once the client and its redirect URI are trusted. */
export interface RedirectTarget {
  clientId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
}

export type ParsedRequest =
  | { ok: true; request: AuthorizationRequest; client: Client }
  /** Not redirectable: client or redirect URI cannot be trusted (shown by the login page). */
  | { ok: false; error: string; description: string; target?: undefined }
  /** Redirected to the client with the error. */
  | { ok: false; error: string; description: string; target: RedirectTarget; client: Client };

const RESPONSE_WORD_ORDER = ['code', 'id_token', 'token'];
const PROMPTS = new Set(['none', 'login', 'consent', 'select_account', 'create']);
const DISPLAYS = new Set(['page', 'popup', 'touch', 'wap']);
/** RFC 7636 §4.1: 43–128 unreserved characters. */
const PKCE_VALUE = /^[A-Za-z0-9._~-]{43,128}$/;
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Printable ASCII only for values echoed into URIs and pages (state may be anything printable per RFC 6749 §A.5). */
const VSCHAR = /^[\x20-\x7E]*$/;
const MAX_PARAM = 4096;
/** Parameters that may be repeated (RFC 8707 `resource`). */
const REPEATABLE = new Set(['resource']);

const words = (v: string | undefined) => (v ?? '').split(' ').filter((w) => w.length > 0);

/** Split a query string into single values; names of repeated parameters are returned apart. */
export function queryParams(query: string): { params: Record<string, string>; repeated: string[] } {
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)) {
    if (name === '__proto__') continue;
    if (Object.hasOwn(params, name) && !REPEATABLE.has(name)) repeated.add(name);
    if (value !== '') params[name] = value;
  }
  return { params, repeated: [...repeated] };
}

/** The response mode a request gets when it names none, or names `jwt` (JARM §2.3.4). */
function defaultMode(responseType: string[], asked: string | undefined): string {
  const implicit = responseType.some((w) => w !== 'code');
  if (asked === undefined) return implicit ? 'fragment' : 'query';
  if (asked === 'jwt') return implicit ? 'fragment.jwt' : 'query.jwt';
  return asked;
}

/** Verify an `id_token_hint` was signed by this tenant for this issuer (expiry does not matter for a hint). */
async function hintSubject(context: TenantContext, issuer: string, hint: string): Promise<string | undefined> {
  try {
    const jwks = createLocalJWKSet({ keys: context.keys.filter((k) => k.use === 'sig').map((k) => k.jwk) } as JSONWebKeySet);
    const { payload } = await compactVerify(hint, jwks);
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as { iss?: unknown; sub?: unknown };
    return claims.iss === issuer && typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Parse and strictly validate an authorisation request (RFC 6749 §4, OpenID
 * Connect Core §3, RFC 7636, RFC 9101 / 9126 through request-source.ts).
 * Until the client and redirect URI are established the errors are not
 * redirectable; after that they go to the client.
 */
export async function parseAuthorizationRequest(context: TenantContext, issuer: string, deps: DataPlaneDeps, query: string): Promise<ParsedRequest> {
  const { tid, config } = context.tenant;
  const fail = (error: string, description: string): ParsedRequest => ({ ok: false, error, description });
  if (query.length > 64 * 1024) return fail('invalid_request', 'The request is too large');
  const first = queryParams(query);
  if (first.repeated.includes('client_id')) return fail('invalid_request', 'The client_id parameter is repeated');
  const resolved = await resolveRequestObject(context, issuer, deps, first.params);
  if (!resolved.ok) return fail(resolved.error, resolved.description);
  const params = resolved.params;
  const repeated = resolved.source === 'query' ? first.repeated : [];

  const clientId = params.client_id;
  if (!clientId) return fail('invalid_request', 'Missing client_id');
  if (clientId.length > 255) return fail('invalid_request', 'Invalid client_id');
  const client = await deps.clients.get(tid, clientId);
  if (!client) return fail('invalid_client', 'Unknown client');

  // The redirect URI: exact match against the registered ones.
  if (repeated.includes('redirect_uri')) return fail('invalid_request', 'The redirect_uri parameter is repeated');
  const registered = client.metadata.redirect_uris ?? [];
  let redirectUri = params.redirect_uri;
  const redirectUriGiven = redirectUri !== undefined;
  if (redirectUri === undefined) {
    if (registered.length !== 1) return fail('invalid_request', 'Missing redirect_uri');
    redirectUri = registered[0]!;
  } else if (!registered.includes(redirectUri)) {
    return fail('invalid_request', 'The redirect_uri is not registered for the client');
  }

  // From here on, errors are redirected to the client.
  const rawState = params.state;
  const responseType = words(params.response_type);
  const knownWords = responseType.every((w) => RESPONSE_WORD_ORDER.includes(w)) && new Set(responseType).size === responseType.length;
  const sorted = [...responseType].sort((a, b) => RESPONSE_WORD_ORDER.indexOf(a) - RESPONSE_WORD_ORDER.indexOf(b));
  const askedMode = defaultMode(knownWords ? sorted : ['code'], params.response_mode);
  const mode = SUPPORTED_RESPONSE_MODES.includes(askedMode) ? askedMode : defaultMode(knownWords ? sorted : ['code'], undefined);
  const target: RedirectTarget = { clientId, redirectUri, responseMode: mode as ResponseMode, ...(rawState !== undefined && VSCHAR.test(rawState) && rawState.length <= MAX_PARAM ? { state: rawState } : {}) };
  const redirect = (error: string, description: string): ParsedRequest => ({ ok: false, error, description, target, client });

  if (repeated.length > 0) return redirect('invalid_request', `Repeated parameter: ${repeated.join(', ')}`);
  if (resolved.source !== 'pushed' && parRequired(context, client)) return redirect('invalid_request', 'PAR required: push the request to the pushed authorisation request endpoint first');
  if (resolved.source === 'query' && client.metadata.require_signed_request_object === true) return redirect('invalid_request', 'The client must send a signed request object');
  if (rawState !== undefined && target.state === undefined) return redirect('invalid_request', 'Invalid state');
  if (askedMode !== mode) {
    return redirect('invalid_request', 'Unsupported response_mode');
  }
  if (responseType.length === 0) return redirect('invalid_request', 'Missing response_type');
  if (!knownWords) return redirect('unsupported_response_type', 'Unsupported response_type');
  const typeString = sorted.join(' ');
  if (!(config.grants.responseTypes as readonly string[]).includes(typeString)) return redirect('unsupported_response_type', `The response type ${typeString} is not enabled`);
  const clientTypes = (client.metadata.response_types ?? (grantTypesOf(client).includes('authorization_code') ? ['code'] : [])).map((t) => words(t).sort((a, b) => RESPONSE_WORD_ORDER.indexOf(a) - RESPONSE_WORD_ORDER.indexOf(b)).join(' '));
  if (!clientTypes.includes(typeString)) return redirect('unauthorized_client', `The client is not registered for the response type ${typeString}`);
  const implicit = sorted.some((w) => w !== 'code');
  // Tokens never travel in a query string (OAuth 2.0 Multiple Response Types §5).
  if (implicit && mode === 'query') return redirect('invalid_request', 'The query response mode is not allowed with this response type');

  const scope = words(params.scope);
  if (scope.some((s) => !SCOPE_TOKEN.test(s))) return redirect('invalid_scope', 'The scope contains invalid characters');
  const openid = scope.includes('openid');
  if (sorted.includes('id_token') && !openid) return redirect('invalid_request', 'The id_token response type needs the openid scope');
  // The token endpoint's scope policy (grants/scope.ts); a value outside it is refused, not silently dropped.
  const requested = [...new Set(scope.length ? scope : defaultScope(config, client))];
  const outside = scopeOutside(config, client, requested);
  if (outside.length) return redirect('invalid_scope', `The client may not request: ${outside.join(' ')}`);

  const nonce = params.nonce;
  if (nonce !== undefined && (nonce.length > MAX_PARAM || !VSCHAR.test(nonce))) return redirect('invalid_request', 'Invalid nonce');
  if (openid && sorted.includes('id_token') && nonce === undefined) return redirect('invalid_request', 'A nonce is required for this response type');

  // PKCE (RFC 7636): S256, plain only where the tenant allows it; public clients always, others where required.
  const challenge = params.code_challenge;
  const method = params.code_challenge_method ?? (challenge !== undefined ? 'plain' : undefined);
  if (challenge !== undefined) {
    if (!PKCE_VALUE.test(challenge)) return redirect('invalid_request', 'Invalid code_challenge');
    if (method !== 'S256' && !(method === 'plain' && config.authorization.allowPlainPkce)) {
      return redirect('invalid_request', `Unsupported code_challenge_method ${method}`);
    }
  } else if (params.code_challenge_method !== undefined) {
    return redirect('invalid_request', 'code_challenge_method without code_challenge');
  }
  const isPublic = authMethodOf(client) === 'none';
  if (sorted.includes('code') && challenge === undefined && (isPublic || config.authorization.requirePkce || client.metadata.require_pkce === true)) {
    return redirect('invalid_request', 'PKCE is required: missing code_challenge');
  }

  const prompt = words(params.prompt);
  if (prompt.some((p) => !PROMPTS.has(p))) return redirect('invalid_request', 'Invalid prompt');
  if (prompt.includes('none') && prompt.length > 1) return redirect('invalid_request', 'prompt=none cannot be combined with other values');
  if (prompt.includes('create') && prompt.length > 1) return redirect('invalid_request', 'prompt=create cannot be combined with other values');

  let maxAge: number | undefined;
  if (params.max_age !== undefined) {
    if (!/^\d{1,9}$/.test(params.max_age)) return redirect('invalid_request', 'Invalid max_age');
    maxAge = Number(params.max_age);
  }
  const display = params.display ?? 'page';
  if (!DISPLAYS.has(display)) return redirect('invalid_request', 'Invalid display');
  let claims: ClaimsRequest | undefined;
  if (params.claims !== undefined) {
    const parsed = parseClaimsRequest(params.claims);
    if (typeof parsed === 'string') return redirect('invalid_request', parsed);
    claims = parsed;
  }
  let hintSub: string | undefined;
  if (params.id_token_hint !== undefined) {
    hintSub = await hintSubject(context, issuer, params.id_token_hint);
    if (hintSub === undefined) return redirect('invalid_request', 'Invalid id_token_hint');
    // A pairwise client's ID tokens name the sector's subject: back to the local one.
    if (client.metadata.subject_type === 'pairwise') hintSub = localSubjectOf(context.secrets['subject-enc'], sectorIdentifierOf(client.metadata), hintSub) ?? hintSub;
  }
  for (const name of ['login_hint', 'acr_values', 'ui_locales', 'claims_locales'] as const) {
    const v = params[name];
    if (v !== undefined && (v.length > MAX_PARAM || !VSCHAR.test(v))) return redirect('invalid_request', `Invalid ${name}`);
  }

  const request: AuthorizationRequest = {
    clientId,
    redirectUri,
    redirectUriGiven,
    responseType: sorted,
    responseMode: mode as ResponseMode,
    scope: requested,
    prompt,
    display,
    params,
    ...(target.state !== undefined ? { state: target.state } : {}),
    ...(nonce !== undefined ? { nonce } : {}),
    ...(challenge !== undefined ? { codeChallenge: challenge, codeChallengeMethod: method as 'S256' | 'plain' } : {}),
    ...(maxAge !== undefined ? { maxAge } : {}),
    ...(params.id_token_hint !== undefined ? { idTokenHint: params.id_token_hint, hintSub: hintSub! } : {}),
    ...(params.login_hint !== undefined ? { loginHint: params.login_hint } : {}),
    ...(params.acr_values !== undefined ? { acrValues: words(params.acr_values) } : {}),
    ...(claims ? { claims } : {}),
    ...(params.ui_locales !== undefined ? { uiLocales: words(params.ui_locales) } : {}),
    ...(params.claims_locales !== undefined ? { claimsLocales: words(params.claims_locales) } : {}),
  };
  return { ok: true, request, client };
}
