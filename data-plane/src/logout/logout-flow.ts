import type { Client } from '@tessera/shared/clients/client';
import { HttpError } from '@tessera/shared/http/errors';
import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { FlowContext } from '../authz/authz-flow.ts';
import { epochSeconds } from '../ports/clock.ts';
import { LOGOUT_SESSION_LIFETIME, type LogoutSession } from '../ports/logout-session-store.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';
import { frontChannelLogoutUris } from './frontchannel-logout.ts';
import { type LogoutError, parseLogoutRequest } from './logout-request.ts';
import { announceClientLoggedOut, announceSessionEnded } from './session-ended.ts';

/**
 * The logout session state machine behind `/logout-sessions/rest/v1` and
 * the hosted logout page (both call these functions; connect2id-apis.md
 * §5): an end-session request with a subject session → `confirm`; the
 * end-user's decision → `end`; OP-initiated logout (no request) and a
 * browser without a session go straight to `end`; a request that cannot
 * be trusted → `error`, which never redirects.
 */

export interface LogoutClientInfo {
  client_id: string;
  name?: string;
  uri?: string;
  logo_uri?: string;
}

/** The logout prompt: the end-user confirms (CSRF protection) and chooses RP-only or IdP-wide logout. */
export interface ConfirmMessage {
  type: 'confirm';
  sid: string;
  client?: LogoutClientInfo;
  sub_session: {
    sub: string;
    auth_time: number;
    creation_time: number;
    acr?: string;
    amr?: string[];
    rps: string[];
    data?: Record<string, unknown>;
  };
  id_token_hint_present: boolean;
  logout_hint?: string;
  ui_locales?: string[];
}

/** The final message: what ended, the iframes to load, where the browser goes (null: nowhere). */
export interface EndMessage {
  type: 'end';
  /** The subject session was closed: the UI deletes the SSO cookie. */
  sub_session_closed: boolean;
  frontchannel_logout_uris: string[];
  post_logout_redirect_uri: string | null;
  ui_locales?: string[];
}

export interface LogoutErrorMessage {
  type: 'error';
  error: LogoutError;
  error_description: string;
}

export type LogoutMessage = ConfirmMessage | EndMessage | LogoutErrorMessage;

const notFound = () => new HttpError(404, 'invalid_session', 'Invalid or expired logout session');

function clientInfo(client: Client): LogoutClientInfo {
  const m = client.metadata;
  return {
    client_id: client.clientId,
    ...(m.client_name ? { name: m.client_name } : {}),
    ...(m.client_uri ? { uri: m.client_uri } : {}),
    ...(m.logo_uri ? { logo_uri: m.logo_uri } : {}),
  };
}

function subSessionInfo(s: SubjectSession): ConfirmMessage['sub_session'] {
  return {
    sub: s.sub,
    auth_time: s.authTime,
    creation_time: s.creationTime,
    ...(s.acr ? { acr: s.acr } : {}),
    ...(s.amr ? { amr: s.amr } : {}),
    rps: s.rps ?? [],
    ...(s.data ? { data: s.data } : {}),
  };
}

/** What the end step knows: the browser's subject session (if it still lives), the flow's client and redirect. */
interface Ending {
  initiator: LogoutSession['initiator'];
  subSid?: string | undefined;
  subject: SubjectSession | null;
  clientId?: string | undefined;
  postLogoutRedirectUri?: string | undefined;
  uiLocales?: string[] | undefined;
}

function endMessage(ending: Ending, closed: boolean, frontchannel: string[]): EndMessage {
  return {
    type: 'end',
    sub_session_closed: closed,
    frontchannel_logout_uris: frontchannel,
    post_logout_redirect_uri: ending.postLogoutRedirectUri ?? null,
    ...(ending.uiLocales ? { ui_locales: ending.uiLocales } : {}),
  };
}

/**
 * Carry out the decision. IdP-wide (`opLogout`): the subject session ends
 * (in Redis, so on every node) and every relying party of it is notified.
 * RP-only: the client leaves the session's `rps` and only it is notified;
 * the session lives on. No session (any more): nothing to end, but the
 * redirect still happens (Connect2id 10.2, 13.6).
 */
async function end(flow: FlowContext, ending: Ending, opLogout: boolean): Promise<EndMessage> {
  const { context, issuer, deps } = flow;
  const { tid } = context.tenant;
  const { subSid, subject } = ending;
  if (!subSid || !subject) return endMessage(ending, false, []);
  const sidHash = tokenHash(subSid);
  if (opLogout) {
    if (!(await deps.oauth.sessions.end(tid, context.secrets['identifier-hmac'], subSid)))
      return endMessage(ending, false, []);
    const rps = subject.rps ?? [];
    const [, frontchannel] = await Promise.all([
      announceSessionEnded(deps, context, {
        sidHash,
        session: subject,
        cause: ending.initiator === 'op' ? 'op_logout' : 'rp_logout',
      }),
      frontChannelLogoutUris(deps, context, issuer, rps, sidHash),
    ]);
    return endMessage(ending, true, frontchannel);
  }
  const clientId = ending.clientId;
  if (!clientId || !(subject.rps ?? []).includes(clientId)) return endMessage(ending, false, []);
  await deps.oauth.sessions.touch(tid, subSid, { ...subject, rps: subject.rps!.filter((c) => c !== clientId) });
  const [, frontchannel] = await Promise.all([
    announceClientLoggedOut(deps, context, { sidHash, session: subject }, clientId),
    frontChannelLogoutUris(deps, context, issuer, [clientId], sidHash),
  ]);
  return endMessage(ending, false, frontchannel);
}

/**
 * Start a logout: `query` is the raw end-session request (null or absent:
 * OP-initiated logout, which ends the session without asking), `subSid`
 * the SSO cookie value if any.
 */
export async function startLogoutSession(
  flow: FlowContext,
  input: { query?: string | null | undefined; subSid?: string | null | undefined },
): Promise<LogoutMessage> {
  const { context, issuer, deps } = flow;
  const { tid } = context.tenant;
  const hmac = context.secrets['identifier-hmac'];
  const subSid = input.subSid ?? undefined;
  // An unknown, forged or expired session is no error (Connect2id 10.2): there is just nothing to end.
  const subject = subSid ? await deps.oauth.sessions.get(tid, hmac, subSid) : null;
  if (input.query === null || input.query === undefined) return end(flow, { initiator: 'op', subSid, subject }, true);
  const parsed = await parseLogoutRequest(context, deps, input.query);
  if (!parsed.ok) return { type: 'error', error: parsed.error, error_description: parsed.description };
  const { request } = parsed;
  const session: LogoutSession = {
    issuer,
    initiator: 'rp',
    ...(subject && subSid ? { subSid } : {}),
    ...(request.client ? { clientId: request.client.clientId } : {}),
    ...(request.postLogoutRedirectUri ? { postLogoutRedirectUri: request.postLogoutRedirectUri } : {}),
    ...(request.uiLocales ? { uiLocales: request.uiLocales } : {}),
    createdAt: epochSeconds(deps.oauth.clock),
  };
  if (!subject) return end(flow, { ...session, subject: null }, false);
  const sid = await deps.oauth.logoutSessions.create(tid, hmac, session, LOGOUT_SESSION_LIFETIME);
  return {
    type: 'confirm',
    sid,
    ...(request.client ? { client: clientInfo(request.client) } : {}),
    sub_session: subSessionInfo(subject),
    id_token_hint_present: request.idTokenHintPresent,
    ...(request.logoutHint !== undefined ? { logout_hint: request.logoutHint } : {}),
    ...(request.uiLocales ? { ui_locales: request.uiLocales } : {}),
  };
}

/** The end-user's decision at the prompt (PUT): IdP-wide (`op_logout: true`) or RP-only logout. */
export async function decideLogout(
  flow: FlowContext,
  sid: string,
  decision: { op_logout: boolean },
): Promise<EndMessage> {
  const { context, deps } = flow;
  const { tid } = context.tenant;
  const hmac = context.secrets['identifier-hmac'];
  const session = await deps.oauth.logoutSessions.take(tid, hmac, sid);
  // The issuer cannot change within a flow: the session belongs to the URL it started under.
  if (!session || session.issuer !== flow.issuer) throw notFound();
  const subject = session.subSid ? await deps.oauth.sessions.get(tid, hmac, session.subSid) : null;
  return end(flow, { ...session, subject }, decision.op_logout);
}
