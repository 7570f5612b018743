import { type Static, Type } from '@sinclair/typebox';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { HttpError } from '@tessera/shared/http/errors';
import type { FlowContext } from '../authz/authz-flow.ts';
import { type CoreAnswer, redirectAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import type { Exchange } from '../core/exchange.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { rotateBrowserState } from '../login/browser-state.ts';
import { cookieOptions, readCookie, setCookie } from '../login/cookies.ts';
import { browserValue, csrfToken, csrfValid } from '../login/csrf.ts';
import { errorPage } from '../login/error-page.ts';
import { cspSource, pageAnswer } from '../login/html.ts';
import { SSO_COOKIE } from '../login/login-endpoint.ts';
import { messagesFor, pageLanguage } from '../login/messages.ts';
import { pageErrorStyle } from '../login/page-errors.ts';
import { logoutConfirmPage } from './logout-confirm-page.ts';
import { logoutEndPage } from './logout-end-page.ts';
import { decideLogout, type EndMessage, type LogoutMessage, startLogoutSession } from './logout-flow.ts';
import { logoutParams } from './logout-request.ts';

/*
 * THE END-SESSION ENDPOINT (OpenID Connect RP-Initiated Logout 1.0) is
 * `/logout`: this file serves it — the hosted logout pages — and
 * contributes `end_session_endpoint` and Front-Channel Logout 1.0's
 * metadata to discovery. The logout itself is run by logout/logout-flow.ts,
 * which the logout session API (integration/logout-session-api.ts) drives
 * too.
 */

const Sid = Type.String({ minLength: 1, maxLength: 200 });
const Csrf = Type.String({ minLength: 1, maxLength: 100 });
const ConfirmForm = Type.Object(
  {
    sid: Sid,
    csrf: Csrf,
    /** `all`: IdP-wide logout; `client`: only the client that asked. */
    decision: Type.Union([Type.Literal('all'), Type.Literal('client')]),
  },
  { additionalProperties: false },
);
/** The end-session request is parsed (and repeated parameters refused) by the flow; any query is let through to it. */
const AnyQuery = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

interface LogoutState {
  /** The end-session request's query string (from the URL, or the posted form). */
  query?: string;
  message?: LogoutMessage;
  /** The browser's SSO cookie named no live session: it goes with the answer. */
  staleCookie?: boolean;
  /** The end-user chose to sign out of the one client only. */
  clientOnly?: boolean;
}

type LogoutExchange = Exchange<LogoutState, TenantRequest>;
const logoutStep = <F = unknown>(name: string, run: Step<LogoutState, TenantRequest<F>>['run']) =>
  step<LogoutState, TenantRequest<F>>(name, run);

const flowOf = (x: LogoutExchange, deps: DataPlaneDeps): FlowContext => ({
  context: x.request.tenant,
  issuer: x.request.issuer,
  deps,
});
const languageOf = (config: TenantConfig, uiLocales: readonly string[] | undefined) =>
  pageLanguage(config.login.locales, uiLocales);
const formAction = (issuer: string, path: string) => `${new URL(issuer).pathname.replace(/\/$/, '')}${path}`;

/** Refusals of the logout pages: an error page that goes nowhere; an unknown logout session says so. */
const logoutPageErrors = pageErrorStyle('logout-page', (t) => ({
  heading: t.signOutErrorTitle,
  expired: t.signOutExpired,
}));

/**
 * The end in the browser. The SSO cookie is deleted (and the browser state
 * rotated) when the session was closed (or named none); then the
 * front-channel iframes and on to the redirect, straight to the redirect
 * (303) when no relying party is to be told, or the "you are signed out"
 * page.
 */
function endAnswer(x: LogoutExchange, message: EndMessage): CoreAnswer {
  const { issuer } = x.request;
  const { config } = x.request.tenant.tenant;
  if (message.sub_session_closed || x.state.staleCookie) {
    setCookie(x, issuer, SSO_COOKIE, '', cookieOptions(issuer, 0));
    // Session Management 1.0: the check-session iframe answers `changed` to every RP of the ended session.
    rotateBrowserState(x, issuer, config.authorization.subjectSessionMaxLife);
  }
  const next = message.post_logout_redirect_uri;
  if (next && message.frontchannel_logout_uris.length === 0)
    return redirectAnswer(next, 303, { 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  const lang = languageOf(config, message.ui_locales);
  return pageAnswer(config, logoutEndPage(message, lang, { clientOnly: x.state.clientOnly === true }));
}

/** A logout message in the browser: the prompt, the end, or an error page that goes nowhere. */
function render(x: LogoutExchange, message: LogoutMessage): CoreAnswer {
  const { issuer, tenant } = x.request;
  const { config } = tenant.tenant;
  if (message.type === 'end') return endAnswer(x, message);
  if (message.type === 'error') {
    const lang = languageOf(config, undefined);
    const page = errorPage(config, message, lang, messagesFor(lang).signOutErrorTitle);
    return pageAnswer(config, page, 400);
  }
  const lang = languageOf(config, message.ui_locales);
  // The validated post-logout redirect, which the confirmation's answer redirects to.
  const redirect = logoutParams(x.state.query ?? '').params.post_logout_redirect_uri;
  const target = redirect ? cspSource(redirect) : undefined;
  return pageAnswer(
    config,
    logoutConfirmPage(config, message, {
      lang,
      csrf: csrfToken(tenant.secrets['identifier-hmac'], browserValue(x.request, x), message.sid),
      action: formAction(issuer, '/logout/confirm'),
      formTargets: target ? [target] : [],
    }),
  );
}

/** The end-session request of a GET: the query string as sent. */
const queryOfUrl = logoutStep('endSessionRequest', (x) => {
  x.state.query = x.request.url.split('?')[1] ?? '';
});

/** The end-session request of a POST (RP-Initiated Logout §2): the form, as a query string. */
const queryOfForm = logoutStep<Record<string, string | string[]> | null>('endSessionRequest', (x) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(x.request.body ?? {}))
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
  x.state.query = query.toString();
});

/** Start a logout session with the request and the SSO cookie (logout/logout-flow.ts). */
const startFlow = (deps: DataPlaneDeps) =>
  logoutStep('startLogoutSession', async (x) => {
    const subSid = readCookie(x.request, SSO_COOKIE);
    const message = await startLogoutSession(flowOf(x, deps), { query: x.state.query ?? '', subSid });
    // Straight to the end with a cookie: the cookie's session was not found.
    x.state.staleCookie = message.type === 'end' && subSid !== undefined;
    x.state.message = message;
  });

/** The form was made for this browser and this logout session (signed double submit, login/csrf.ts). */
const checkCsrf = logoutStep<{ sid: string; csrf: string }>('checkCsrf', (x) => {
  const { sid, csrf } = x.request.body;
  if (!csrfValid(x.request, x.request.tenant.secrets['identifier-hmac'], sid, csrf)) {
    const lang = languageOf(x.request.tenant.tenant.config, undefined);
    throw new HttpError(403, 'invalid_request', messagesFor(lang).forged);
  }
});

/** The end-user's decision: IdP-wide or this client only. */
const decide = (deps: DataPlaneDeps) =>
  logoutStep<Static<typeof ConfirmForm>>('decideLogout', async (x) => {
    const { sid, decision } = x.request.body;
    x.state.clientOnly = decision === 'client';
    x.state.message = await decideLogout(flowOf(x, deps), sid, { op_logout: decision === 'all' });
  });

const showMessage = logoutStep('showMessage', (x) => render(x, x.state.message!));

/**
 * The hosted logout UI at `/logout`, the end-session endpoint: the end-
 * session request (GET or POST) → the "Sign out of all applications?"
 * prompt (or straight to the end when the browser has no session) →
 * the confirmation → the SSO cookie deleted, the session ended on every
 * node, front-channel iframes, the validated redirect with `state`. Steps:
 * endSessionRequest → startLogoutSession → showMessage; checkCsrf →
 * decideLogout → showMessage.
 */
export const logoutEndpoint: Endpoint = {
  name: 'logout',
  area: 'front-channel',
  routes: (deps) => {
    const start = [startFlow(deps), showMessage];
    return [
      route({
        name: 'end-session',
        method: 'GET',
        path: '/logout',
        errors: logoutPageErrors,
        schema: { querystring: AnyQuery },
        steps: [queryOfUrl, ...start],
      }),
      route({
        name: 'end-session.post',
        method: 'POST',
        path: '/logout',
        errors: logoutPageErrors,
        bodyLimit: 65_536,
        schema: { body: Type.Union([AnyQuery, Type.Null()]) },
        steps: [queryOfForm, ...start],
      }),
      route({
        name: 'end-session.confirm',
        method: 'POST',
        path: '/logout/confirm',
        errors: logoutPageErrors,
        schema: { body: ConfirmForm },
        steps: [checkCsrf, decide(deps), showMessage],
      }),
    ];
  },
  /** RP-Initiated and Front-Channel Logout, as discovery publishes them. */
  metadata: (_context, issuer) => ({
    end_session_endpoint: `${issuer}/logout`,
    frontchannel_logout_supported: true,
    frontchannel_logout_session_supported: true,
  }),
};
