import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { UsageMeter } from '../core/usage-meter.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { newAuthorization } from '../grants/new-authorization.ts';
import { announceSessionEnded } from '../logout/session-ended.ts';
import { webSsoEligible } from '../plugins/web-sso-eligibility.ts';
import type { AuthzSession } from '../ports/authz-session-store.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import { isolatesGrants } from '../tenancy/alias-mode.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { consentDeniedEvent, consentGivenEvent, subjectAuthenticatedEvent } from './authz-flow-events.ts';
import { errorResponse, issueAuthorization } from './authz-issue.ts';
import { type AuthorizationRequest, parseAuthorizationRequest } from './authz-request.ts';
import { requestedClaims } from './claims-request.ts';
import { approveDevice, type DeviceResponseMessage, denyDevice } from './device-decision.ts';
import { claimTargets, consentedClaims, releasedClaims } from './released-claims.ts';
import type { ResponseMessage } from './response-mode.ts';

/**
 * The authorisation session state machine behind `/authz-sessions/rest/v3`
 * and the hosted login page (both call these functions): start → `auth`
 * (unless an SSO session suffices) → `consent` (unless a remembered consent
 * covers the request) → `response`; `error` when the client or redirect URI
 * cannot be trusted.
 */

export interface ClientInfo {
  client_id: string;
  client_type: 'public' | 'confidential';
  name?: string;
  uri?: string;
  logo_uri?: string;
  policy_uri?: string;
  tos_uri?: string;
}

export interface AuthMessage {
  type: 'auth';
  sid: string;
  display: string;
  select_account: boolean;
  create_account: boolean;
  login_hint?: string;
  required_sub?: string;
  ui_locales?: string[];
  client: ClientInfo;
  request: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface ConsentMessage {
  type: 'consent';
  sid: string;
  display: string;
  sub_session: { sub: string; auth_time: number; acr?: string; amr?: string[]; data?: Record<string, unknown> };
  client: ClientInfo;
  scope: { new: string[]; consented: string[] };
  claims: {
    new: { essential: string[]; voluntary: string[] };
    consented: { essential: string[]; voluntary: string[] };
    locales: string[];
  };
  ui_locales?: string[];
  request: Record<string, unknown>;
  data?: Record<string, unknown>;
}

export interface ErrorMessage {
  type: 'error';
  error: string;
  error_description: string;
}

export type AuthzMessage = AuthMessage | ConsentMessage | ResponseMessage | DeviceResponseMessage | ErrorMessage;

/** The subject authenticated at the `auth` step (times in seconds; lifetimes in minutes, -1 = unlimited, as Connect2id). */
export interface AuthenticatedSubject {
  sub: string;
  acr?: string;
  amr?: string[];
  auth_time?: number;
  max_life?: number;
  auth_life?: number;
  max_idle?: number;
  claims?: Record<string, unknown>;
  data?: Record<string, unknown>;
}

/** The end-user's consent at the `consent` step (Connect2id members). */
export interface ConsentDecision {
  scope?: string[] | '*';
  claims?: string[] | '*';
  claims_locales?: string[];
  claims_transport?: 'USERINFO' | 'ID_TOKEN';
  preset_claims?: { id_token?: Record<string, unknown>; userinfo?: Record<string, unknown> };
  audience?: string[];
  long_lived?: boolean;
  access_token?: { lifetime?: number; encoding?: 'SELF_CONTAINED' | 'IDENTIFIER'; encrypt?: boolean };
  refresh_token?: { issue?: boolean; lifetime?: number; max_idle?: number; rotate?: boolean };
  id_token?: { lifetime?: number };
  data?: Record<string, unknown>;
}

/** A flow's context: the tenant and the issuer URL the request came in by. */
export interface FlowContext {
  context: TenantContext;
  issuer: string;
  deps: DataPlaneDeps;
  /** Where an issued authorisation is metered (the exchange). */
  usage?: UsageMeter;
  /**
   * The browser state (Session Management 1.0) of a subject session, where
   * the flow runs in the browser whose cookie holds it (the hosted login):
   * OpenID responses then carry `session_state`. Absent for the
   * authorisation session API, whose login page is not on the issuer's site.
   */
  browserState?: (subSid: string) => string;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const notFound = () => new HttpError(404, 'invalid_session', 'Invalid or expired authorisation session');

function clientInfo(client: Client): ClientInfo {
  const m = client.metadata;
  return {
    client_id: client.clientId,
    client_type: (m.token_endpoint_auth_method ?? 'client_secret_basic') === 'none' ? 'public' : 'confidential',
    ...(m.client_name ? { name: m.client_name } : {}),
    ...(m.client_uri ? { uri: m.client_uri } : {}),
    ...(m.logo_uri ? { logo_uri: m.logo_uri } : {}),
    ...(m.policy_uri ? { policy_uri: m.policy_uri } : {}),
    ...(m.tos_uri ? { tos_uri: m.tos_uri } : {}),
  };
}

/** The request members the login page may use (never the request object or PKCE values). */
function requestInfo(request: AuthorizationRequest): Record<string, unknown> {
  const {
    request: _r,
    request_uri: _u,
    code_challenge: _c,
    code_challenge_method: _m,
    id_token_hint: _h,
    ...rest
  } = request.params;
  return {
    ...rest,
    scope: request.scope,
    prompt: request.prompt,
    ...(request.maxAge !== undefined ? { max_age: request.maxAge } : {}),
  };
}

/** Whether the subject session lets the flow skip the login page. */
function sessionSuffices(
  request: AuthorizationRequest,
  session: SubjectSession | null,
  now: number,
): session is SubjectSession {
  if (!session) return false;
  if (request.prompt.some((p) => p === 'login' || p === 'select_account' || p === 'create')) return false;
  if (session.authLife && session.authTime + session.authLife <= now) return false;
  if (request.maxAge !== undefined && session.authTime + request.maxAge < now) return false;
  if (request.hintSub !== undefined && request.hintSub !== session.sub) return false;
  // Requested authentication context classes (voluntary, Core §3.1.2.1): a session of another class logs in again.
  if (request.acrValues?.length && !(session.acr && request.acrValues.includes(session.acr))) return false;
  return true;
}

async function loadClient(flow: FlowContext, clientId: string): Promise<Client> {
  const client = await flow.deps.clients.get(flow.context.tenant.tid, clientId);
  if (!client) throw notFound();
  return client;
}

/** A remembered (long-lived) consent covering the request, unless the tenant or `prompt=consent` asks again. */
async function rememberedConsent(
  flow: FlowContext,
  request: AuthorizationRequest,
  sub: string,
): Promise<Authorization | undefined> {
  const { context, issuer, deps } = flow;
  if (isolatesGrants(context.tenant, issuer)) return undefined;
  const [stored] = await deps.oauth.authorizations.find(context.tenant.tid, { sub, cid: request.clientId });
  return stored?.authz;
}

const covers = (authz: Authorization, request: AuthorizationRequest) => {
  const claims = requestedClaims(request.scope, request.claims);
  const consented = new Set((authz.clm ?? []).map((c) => c.replace(/^(id_token|access_token):/, '')));
  return (
    request.scope.every((s) => authz.scp.includes(s)) &&
    [...claims.essential, ...claims.voluntary].every((c) => consented.has(c))
  );
};

/** The step after authentication: remembered consent → response; else the consent prompt. */
async function afterAuthentication(
  flow: FlowContext,
  sid: string,
  session: AuthzSession,
  client: Client,
  subject: { sid: string; session: SubjectSession },
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const { tid, config } = context.tenant;
  const { request } = session;
  const remembered = await rememberedConsent(flow, request, subject.session.sub);
  const forceConsent = request.prompt.includes('consent') || config.authorization.alwaysPromptForConsent;
  if (remembered && !forceConsent && covers(remembered, request)) {
    await deps.oauth.authzSessions.take(tid, sid);
    // `sid` (ID tokens, the authorisation) is the hash of the session id: the id itself is the SSO credential.
    // The remembered consent, for the resources this request names (RFC 8707), if it names any.
    const authz: Authorization = {
      ...remembered,
      iss: issuer,
      sid: tokenHash(subject.sid),
      ...(request.resources ? { aud: request.resources } : {}),
    };
    return finish(flow, session, client, subject, authz);
  }
  if (request.prompt.includes('none')) {
    await deps.oauth.authzSessions.take(tid, sid);
    return errorResponse(context, issuer, deps, client, request, 'consent_required', 'Consent is required');
  }
  const claims = requestedClaims(request.scope, request.claims);
  const consentedScope = remembered ? request.scope.filter((s) => remembered.scp.includes(s)) : [];
  const consentedClaims = new Set((remembered?.clm ?? []).map((c) => c.replace(/^(id_token|access_token):/, '')));
  const next: AuthzSession = { ...session, step: 'consent', subSid: subject.sid };
  await deps.oauth.authzSessions.update(tid, sid, next);
  const s = subject.session;
  return {
    type: 'consent',
    sid,
    display: request.display,
    sub_session: {
      sub: s.sub,
      auth_time: s.authTime,
      ...(s.acr ? { acr: s.acr } : {}),
      ...(s.amr ? { amr: s.amr } : {}),
      ...(s.data ? { data: s.data } : {}),
    },
    client: clientInfo(client),
    scope: { new: request.scope.filter((x) => !consentedScope.includes(x)), consented: consentedScope },
    claims: {
      new: {
        essential: claims.essential.filter((c) => !consentedClaims.has(c)),
        voluntary: claims.voluntary.filter((c) => !consentedClaims.has(c)),
      },
      consented: {
        essential: claims.essential.filter((c) => consentedClaims.has(c)),
        voluntary: claims.voluntary.filter((c) => consentedClaims.has(c)),
      },
      locales: request.claimsLocales ?? [],
    },
    ...(request.uiLocales ? { ui_locales: request.uiLocales } : {}),
    request: requestInfo(request),
    ...(session.data ? { data: session.data } : {}),
  };
}

async function finish(
  flow: FlowContext,
  session: AuthzSession,
  client: Client,
  subject: { sid: string; session: SubjectSession },
  authz: Authorization,
): Promise<ResponseMessage | DeviceResponseMessage> {
  const { context, issuer, deps } = flow;
  // Independent writes, issued together so they share a round trip; the touch changes nothing the response reads.
  const [, message] = await Promise.all([
    deps.oauth.sessions.touch(context.tenant.tid, subject.sid, subject.session, client.clientId),
    // A device flow hands its approval to the device's next poll (authz/device-decision.ts).
    session.device
      ? approveDevice(flow, session.device, subject, authz)
      : issueAuthorization(
          context,
          issuer,
          deps,
          client,
          session.request,
          subject,
          authz,
          flow.browserState?.(subject.sid),
        ),
  ]);
  flow.usage?.meter('authorizations', authz.sub);
  return session.createdSubSid ? { ...message, sub_sid: subject.sid } : message;
}

/**
 * Start a flow: `query` is the raw authorisation request, `subSid` the SSO
 * cookie value if any.
 */
export async function startAuthzSession(
  flow: FlowContext,
  input: { query: string; subSid?: string | undefined },
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const parsed = await parseAuthorizationRequest(context, issuer, deps, input.query);
  if (!parsed.ok) {
    if (!parsed.target) return { type: 'error', error: parsed.error, error_description: parsed.description };
    return errorResponse(context, issuer, deps, parsed.client, parsed.target, parsed.error, parsed.description);
  }
  return beginAuthzSession(flow, parsed.request, parsed.client, input.subSid);
}

/**
 * A flow for a validated request (an authorisation request, or a device
 * request's user code: authz/device-flow.ts, which passes `extra`): the SSO
 * session if it suffices, else the `auth` prompt.
 */
export async function beginAuthzSession(
  flow: FlowContext,
  request: AuthorizationRequest,
  client: Client,
  subSid: string | undefined,
  extra: Pick<AuthzSession, 'device'> = {},
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const { tid, config } = context.tenant;
  const input = { subSid };
  const hmac = context.secrets['identifier-hmac'];
  const now = epochSeconds(deps.oauth.clock);
  const existing = input.subSid ? await deps.oauth.sessions.get(tid, hmac, input.subSid) : null;
  const session: AuthzSession = { issuer, request, step: 'auth', createdAt: now, ...extra };
  // The tenant's web SSO eligibility checker has the last word on a session the rules would reuse (no await without it).
  const eligible = sessionSuffices(request, existing, now) && webSsoEligible(context, deps.webhooks, request, existing);
  if (eligible === true || (eligible !== false && (await eligible))) {
    const sid = await deps.oauth.authzSessions.create(
      tid,
      hmac,
      { ...session, step: 'consent', subSid: input.subSid! },
      config.authorization.sessionLifetime,
    );
    return afterAuthentication(flow, sid, session, client, { sid: input.subSid!, session: existing! });
  }
  if (request.prompt.includes('none'))
    return errorResponse(context, issuer, deps, client, request, 'login_required', 'The end-user is not logged in');
  // A browser has one SSO session: the one it had is replaced once the end-user logs in again.
  const withPrior: AuthzSession = existing ? { ...session, priorSession: tokenHash(input.subSid!) } : session;
  const sid = await deps.oauth.authzSessions.create(tid, hmac, withPrior, config.authorization.sessionLifetime);
  return authPrompt(sid, withPrior, client);
}

function authPrompt(sid: string, session: AuthzSession, client: Client): AuthMessage {
  const { request } = session;
  return {
    type: 'auth',
    sid,
    display: request.display,
    select_account: request.prompt.includes('select_account'),
    create_account: request.prompt.includes('create'),
    ...(request.loginHint !== undefined ? { login_hint: request.loginHint } : {}),
    ...(request.hintSub !== undefined ? { required_sub: request.hintSub } : {}),
    ...(request.uiLocales ? { ui_locales: request.uiLocales } : {}),
    client: clientInfo(client),
    request: requestInfo(request),
    ...(session.data ? { data: session.data } : {}),
  };
}

async function loadSession(flow: FlowContext, sid: string): Promise<AuthzSession> {
  const session = await flow.deps.oauth.authzSessions.get(
    flow.context.tenant.tid,
    flow.context.secrets['identifier-hmac'],
    sid,
  );
  if (!session) throw notFound();
  // The issuer cannot change within a flow: the session belongs to the URL it started under.
  if (session.issuer !== flow.issuer) throw notFound();
  return session;
}

/** The current prompt of a flow again (GET), with the parsed request. */
export async function getAuthzSession(flow: FlowContext, sid: string): Promise<Record<string, unknown>> {
  const session = await loadSession(flow, sid);
  const client = await loadClient(flow, session.request.clientId);
  const r = session.request;
  return {
    sid,
    step: session.step,
    client: clientInfo(client),
    auth_req: {
      ...requestInfo(r),
      response_type: r.responseType.join(' '),
      response_mode: r.responseMode,
      redirect_uri: r.redirectUri,
      ...(r.acrValues ? { acr_values: r.acrValues } : {}),
      ...(r.loginHint !== undefined ? { login_hint: r.loginHint } : {}),
      ...(r.claims ? { claims: r.claims } : {}),
    },
    ...(session.data ? { data: session.data } : {}),
  };
}

const minutes = (value: number | undefined, fallback: number) =>
  value === undefined || value === 0 ? fallback : value === -1 ? 0 : value * 60;

/** Submit the authenticated subject (at `auth`) or the consent (at `consent`). */
export async function continueAuthzSession(
  flow: FlowContext,
  sid: string,
  body: Record<string, unknown>,
): Promise<AuthzMessage> {
  const session = await loadSession(flow, sid);
  const client = await loadClient(flow, session.request.clientId);
  return session.step === 'auth'
    ? authenticated(flow, sid, session, client, body as unknown as AuthenticatedSubject)
    : consented(flow, sid, session, client, body as unknown as ConsentDecision);
}

/** The browser's previous session, which its new one replaces: ended, and announced to its clients (back-channel logout). */
async function endReplacedSession(deps: DataPlaneDeps, context: TenantContext, hash: string): Promise<void> {
  const { tid } = context.tenant;
  const prior = await deps.oauth.sessions.getByHash(tid, hash);
  if (prior && (await deps.oauth.sessions.endByHash(tid, hash)))
    await announceSessionEnded(deps, context, { sidHash: hash, session: prior, cause: 'replaced' });
}

async function authenticated(
  flow: FlowContext,
  sid: string,
  session: AuthzSession,
  client: Client,
  body: AuthenticatedSubject,
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const { tid, config } = context.tenant;
  if (typeof body.sub !== 'string' || body.sub.length === 0)
    throw new HttpError(400, 'invalid_request', 'The auth step needs sub');
  const { request } = session;
  if (request.hintSub !== undefined && body.sub !== request.hintSub) {
    await deps.oauth.authzSessions.take(tid, sid);
    return errorResponse(
      context,
      issuer,
      deps,
      client,
      request,
      'login_required',
      'The end-user is not the one the id_token_hint names',
    );
  }
  const now = epochSeconds(deps.oauth.clock);
  const a = config.authorization;
  const maxLife = minutes(body.max_life, a.subjectSessionMaxLife) || 86_400 * 3650;
  const subjectSession: SubjectSession = {
    sub: body.sub,
    authTime: body.auth_time ?? now,
    creationTime: now,
    maxLife,
    authLife: minutes(body.auth_life, a.subjectSessionAuthLife),
    maxIdle: minutes(body.max_idle, a.subjectSessionMaxIdle),
    ...(body.acr ? { acr: body.acr } : {}),
    ...(body.amr ? { amr: body.amr } : {}),
    ...(isObject(body.claims) ? { claims: body.claims } : {}),
    ...(isObject(body.data) ? { data: body.data } : {}),
  };
  const subSid = await deps.oauth.sessions.create(tid, context.secrets['identifier-hmac'], subjectSession);
  if (session.priorSession) await endReplacedSession(deps, context, session.priorSession);
  const { priorSession: _ended, ...rest } = session;
  // Not written here: afterAuthentication takes the session or writes it at its next step, subject included.
  const next: AuthzSession = { ...rest, createdSubSid: true, subSid };
  // The session exists; its event goes out with the next step's writes (called first, so its id sorts first).
  const [, message] = await Promise.all([
    deps.events.emit(subjectAuthenticatedEvent(tid, client.clientId, subSid, subjectSession)),
    afterAuthentication(flow, sid, next, client, { sid: subSid, session: subjectSession }),
  ]);
  return message;
}

async function consented(
  flow: FlowContext,
  sid: string,
  session: AuthzSession,
  client: Client,
  body: ConsentDecision,
): Promise<AuthzMessage> {
  const { context, issuer, deps } = flow;
  const { tid, config } = context.tenant;
  const { request } = session;
  const requested = requestedClaims(request.scope, request.claims);
  const scope = body.scope === undefined || body.scope === '*' ? request.scope : body.scope;
  const outside = scope.filter((s) => !request.scope.includes(s));
  if (outside.length)
    throw new HttpError(400, 'invalid_request', `Scope values that were not requested: ${outside.join(' ')}`);
  if (
    body.claims !== undefined &&
    body.claims !== '*' &&
    !(Array.isArray(body.claims) && body.claims.every((c) => typeof c === 'string'))
  ) {
    throw new HttpError(400, 'invalid_request', 'claims must be an array of claim names or "*" at the consent step');
  }
  const claims =
    body.claims === undefined || body.claims === '*' ? [...requested.essential, ...requested.voluntary] : body.claims;
  const clm = consentedClaims(claims, body.claims_transport, new Set(Object.keys(request.claims?.id_token ?? {})));
  // The subject session is read along with the take, by the id the loaded session named (one round trip, not two).
  const hmac = context.secrets['identifier-hmac'];
  const [taken, loadedSubject] = await Promise.all([
    deps.oauth.authzSessions.take(tid, sid),
    session.subSid ? deps.oauth.sessions.get(tid, hmac, session.subSid) : null,
  ]);
  if (!taken) throw notFound();
  const subject =
    taken.subSid === session.subSid
      ? loadedSubject
      : taken.subSid
        ? await deps.oauth.sessions.get(tid, hmac, taken.subSid)
        : null;
  if (!subject)
    return errorResponse(context, issuer, deps, client, request, 'login_required', 'The subject session ended');
  const longLived = body.long_lived ?? false;
  // A device gets its tokens at the token endpoint, as a code would.
  const wantsRefresh =
    (request.responseType.includes('code') || session.device !== undefined) &&
    (client.metadata.grant_types ?? ['authorization_code']).includes('refresh_token') &&
    (config.grants.grantTypes as readonly string[]).includes('refresh_token');
  const authz: Authorization = newAuthorization(config, {
    sub: subject.sub,
    cid: client.clientId,
    scp: [...new Set(scope)],
    iss: issuer,
    longLived,
    sid: tokenHash(taken.subSid!),
    // The consent's audience (Connect2id), else the resources the request named (RFC 8707).
    ...(body.audience?.length ? { aud: body.audience } : request.resources ? { aud: request.resources } : {}),
    ...(clm.length ? { clm } : {}),
    ...((body.claims_locales ?? request.claimsLocales)?.length
      ? { cll: body.claims_locales ?? request.claimsLocales! }
      : {}),
    ...(body.preset_claims?.userinfo ? { uip: body.preset_claims.userinfo } : {}),
    ...(body.preset_claims?.id_token ? { idp: body.preset_claims.id_token } : {}),
    ...(body.data ? { dat: body.data } : {}),
  });
  authz.accessToken = {
    lifetime: body.access_token?.lifetime ?? 0,
    encoding: body.access_token?.encoding ?? authz.accessToken.encoding,
    encrypt: body.access_token?.encrypt ?? false,
  };
  authz.refreshToken = {
    issue: wantsRefresh && (body.refresh_token?.issue ?? true),
    lifetime: body.refresh_token?.lifetime ?? config.tokens.refreshTokenLifetime,
    maxIdle: body.refresh_token?.max_idle ?? config.tokens.refreshTokenMaxIdle,
    rotate: body.refresh_token?.rotate ?? config.tokens.refreshTokenRotation,
  };
  authz.idToken = { lifetime: body.id_token?.lifetime || config.tokens.idTokenLifetime };
  const atClaims = claimTargets(clm, false).accessToken;
  if (atClaims.length) authz.atc = await releasedClaims(deps, context, authz, atClaims, authz.cll ?? []);
  // The decision, in the outbox before the answer; raised first, so it sorts before the tokens it leads to.
  const given = consentGivenEvent(tid, {
    sub: subject.sub,
    clientId: client.clientId,
    scope: authz.scp,
    claims,
    longLived,
  });
  const [, message] = await Promise.all([
    deps.events.emit(given),
    finish(flow, taken, client, { sid: taken.subSid!, session: subject }, authz),
  ]);
  return message;
}

/** Deny or cancel (DELETE): the client gets `access_denied` (or the given standard error). */
export async function cancelAuthzSession(
  flow: FlowContext,
  sid: string,
  error: { error?: string; error_description?: string } = {},
): Promise<AuthzMessage> {
  const { context, deps } = flow;
  const tid = context.tenant.tid;
  const session = await loadSession(flow, sid);
  // Past the auth step the session names its subject: read along with the take, for the event.
  const [taken, subject] = await Promise.all([
    deps.oauth.authzSessions.take(tid, sid),
    session.subSid ? deps.oauth.sessions.get(tid, context.secrets['identifier-hmac'], session.subSid) : null,
  ]);
  if (!taken) throw notFound();
  const client = await loadClient(flow, session.request.clientId);
  const code = error.error ?? 'access_denied';
  const denied = consentDeniedEvent(tid, {
    sub: subject?.sub,
    clientId: client.clientId,
    scope: session.request.scope,
    step: session.step,
    error: code,
  });
  const [, message] = await Promise.all([
    deps.events.emit(denied),
    // A device's poll hears access_denied, whatever the login page named (RFC 8628 §3.5 has no other refusal).
    session.device
      ? denyDevice(flow, session.device)
      : errorResponse(
          context,
          flow.issuer,
          deps,
          client,
          session.request,
          code,
          error.error_description ?? 'The end-user denied the request',
        ),
  ]);
  return message;
}
