import { type Static, Type } from '@sinclair/typebox';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { HttpError } from '@tessera/shared/http/errors';
import { tenantSigningAlgorithms } from '@tessera/shared/jose/algorithms';
import {
  type AuthMessage,
  type AuthzMessage,
  cancelAuthzSession,
  continueAuthzSession,
  type FlowContext,
  getAuthzSession,
  startAuthzSession,
} from '../authz/authz-flow.ts';
import { STANDARD_CLAIMS } from '../authz/claims-request.ts';
import { JARM_ENCRYPTION_ALGS, JARM_ENCRYPTION_ENCS } from '../authz/jarm.ts';
import { ADVERTISED_RESPONSE_MODES } from '../authz/response-mode.ts';
import { type CoreAnswer, redirectAnswer } from '../core/core-answer.ts';
import type { TenantRequest } from '../core/core-request.ts';
import type { Endpoint } from '../core/endpoint.ts';
import type { Exchange } from '../core/exchange.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { isReservedScope } from '../grants/scope.ts';
import { verifyPassword } from '../plugins/password-checks.ts';
import { epochSeconds } from '../ports/clock.ts';
import { JWE_ALGS, JWE_ENCS } from '../tokens/client-jwt.ts';
import { browserStateOf, setBrowserState } from './browser-state.ts';
import { consentPage } from './consent-page.ts';
import { cookieOptions, readCookie, setCookie } from './cookies.ts';
import { browserValue, csrfToken, csrfValid } from './csrf.ts';
import { deviceDonePage } from './device-pages.ts';
import { errorPage } from './error-page.ts';
import { formPostPage } from './form-post-page.ts';
import { cspSource, pageAnswer } from './html.ts';
import { loginPage } from './login-page.ts';
import { pageLanguage as languageOf, messagesFor } from './messages.ts';
import { pageErrors } from './page-errors.ts';

/*
 * THE AUTHORISATION ENDPOINT (OpenID Connect Core §3.1.2, RFC 6749 §3.1) is
 * `/login`: this file serves it — the hosted sign-in and consent pages — and
 * contributes `authorization_endpoint` and the front channel's metadata to
 * discovery. The authorisation request itself is checked and run by
 * authz/authz-flow.ts (checks: authz/authz-request.ts, authz/checks/), which
 * the authorisation session API (integration/authz-session-api.ts) drives too.
 */

/** The SSO cookie: the subject session id, scoped to the issuer (see cookies.ts). */
export const SSO_COOKIE = 'tessera_sso';
const Sid = Type.String({ minLength: 1, maxLength: 200 });
const Csrf = Type.String({ minLength: 1, maxLength: 100 });
const Flag = Type.Optional(Type.Literal('yes'));
const AuthForm = Type.Object(
  {
    sid: Sid,
    csrf: Csrf,
    username: Type.String({ maxLength: 255 }),
    password: Type.String({ maxLength: 1024 }),
    remember: Flag,
  },
  { additionalProperties: false },
);
const ConsentForm = Type.Object(
  {
    sid: Sid,
    csrf: Csrf,
    decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]),
    remember: Flag,
    keep: Flag,
  },
  { additionalProperties: false },
);
/** The authorisation request itself is parsed (and repeated parameters refused) by the flow; any query is let through to it. */
const AnyQuery = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

/** How a page shows a message: a sign-in error and its status, the username to fill in again, the "keep me signed in" choice. */
export interface RenderOptions {
  error?: string;
  status?: number;
  username?: string;
  keep?: boolean;
}

export interface LoginState {
  /** The authorisation request's query string (from the URL, or the posted form). */
  query?: string;
  /** The authorisation session's current step (sign-in and consent forms). */
  current?: Record<string, unknown>;
  /** What the flow answered; the last step shows it. */
  message?: AuthzMessage;
  options?: RenderOptions;
}

export type LoginExchange = Exchange<LoginState, TenantRequest>;
type FormRequest<F> = TenantRequest<F>;
const loginStep = <F = unknown>(name: string, run: Step<LoginState, FormRequest<F>>['run']) =>
  step<LoginState, FormRequest<F>>(name, run);

/** The flow as the hosted pages run it (in this browser: OpenID responses carry session_state). */
export const flowOf = (x: LoginExchange, deps: DataPlaneDeps): FlowContext => ({
  context: x.request.tenant,
  issuer: x.request.issuer,
  deps,
  usage: x,
  browserState: (subSid) => browserStateOf(x.request.tenant.secrets['identifier-hmac'], x.request.issuer, subSid),
});
/** The page language for a request: `ui_locales` when the flow knows them, else the tenant's first translated locale. */
const pageLanguage = (config: TenantConfig, uiLocales: readonly string[] | undefined) =>
  languageOf(config.login.locales, uiLocales);
const textsOf = (x: LoginExchange) => messagesFor(pageLanguage(x.request.tenant.tenant.config, undefined));
const formAction = (issuer: string, path: string) => `${new URL(issuer).pathname.replace(/\/$/, '')}${path}`;

/** What a page needs besides the message: where forms may go, the CSRF token (setting the browser's CSRF cookie if it has none). */
async function pageContext(x: LoginExchange, deps: DataPlaneDeps, clientId: string, sid: string) {
  const context = x.request.tenant;
  const client = await deps.clients.get(context.tenant.tid, clientId);
  // Chromium applies form-action to the redirect after a form post too: allow the client's registered redirect origins.
  const formTargets = [
    ...new Set((client?.metadata.redirect_uris ?? []).map(cspSource).filter((t): t is string => t !== undefined)),
  ];
  return { formTargets, csrf: csrfToken(context.secrets['identifier-hmac'], browserValue(x.request, x), sid) };
}

/**
 * An authorisation session message in the browser: the sign-in or consent
 * page, the redirect (or form post) to the client with the SSO cookie set
 * when the flow created a session, or an error page that goes nowhere.
 */
const PAGES: {
  [T in AuthzMessage['type']]: (
    x: LoginExchange,
    deps: DataPlaneDeps,
    message: Extract<AuthzMessage, { type: T }>,
    options: RenderOptions,
  ) => Promise<CoreAnswer> | CoreAnswer;
} = {
  async auth(x, deps, message, options) {
    const { config } = x.request.tenant.tenant;
    const page = await pageContext(x, deps, message.client.client_id, message.sid);
    const lang = pageLanguage(config, message.ui_locales);
    return pageAnswer(
      config,
      loginPage(config, message, {
        ...page,
        lang,
        action: formAction(x.request.issuer, '/login/authenticate'),
        ...options,
      }),
      options.status ?? (options.error ? 401 : 200),
    );
  },
  async consent(x, deps, message, options) {
    const { config } = x.request.tenant.tenant;
    const page = await pageContext(x, deps, message.client.client_id, message.sid);
    const lang = pageLanguage(config, message.ui_locales);
    return pageAnswer(
      config,
      consentPage(message, {
        ...page,
        lang,
        action: formAction(x.request.issuer, '/login/consent'),
        keepSignedIn: options.keep === true,
      }),
    );
  },
  response(x, _deps, message, options) {
    const { config } = x.request.tenant.tenant;
    if (message.sub_sid) {
      const keep = options.keep === true && config.login.allowRememberMe;
      setCookie(
        x,
        x.request.issuer,
        SSO_COOKIE,
        message.sub_sid,
        cookieOptions(x.request.issuer, keep ? config.authorization.subjectSessionMaxLife : undefined),
      );
    }
    // The browser state follows the session the response was issued under (a new one, or the cookie's).
    const subSid = message.sub_sid ?? readCookie(x.request, SSO_COOKIE);
    if (subSid)
      setBrowserState(
        x.request,
        x,
        x.request.tenant.secrets['identifier-hmac'],
        subSid,
        config.authorization.subjectSessionMaxLife,
      );
    // A device flow ends here, in this browser: the device polls for its tokens (login/device-endpoint.ts).
    if (message.mode === 'device') return pageAnswer(config, deviceDonePage(message, pageLanguage(config, undefined)));
    if (message.mode.startsWith('form_post'))
      return pageAnswer(
        config,
        formPostPage(message.parameters.uri, message.parameters.form ?? {}, pageLanguage(config, undefined)),
      );
    // 303: the browser follows with a GET whatever the method of the form it submitted.
    return redirectAnswer(message.parameters.uri, 303, {
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
    });
  },
  error(x, _deps, message) {
    const { config } = x.request.tenant.tenant;
    return pageAnswer(config, errorPage(config, message, pageLanguage(config, undefined)), 400);
  },
};

/** A message of the flow as this browser's next page. */
export const render = (x: LoginExchange, deps: DataPlaneDeps, message: AuthzMessage, options: RenderOptions = {}) =>
  (
    PAGES[message.type] as (
      x: LoginExchange,
      deps: DataPlaneDeps,
      message: AuthzMessage,
      options: RenderOptions,
    ) => Promise<CoreAnswer> | CoreAnswer
  )(x, deps, message, options);

/** The authorisation request of a GET: the query string as sent. */
const queryOfUrl = loginStep('authorizationRequest', (x) => {
  x.state.query = x.request.url.split('?')[1] ?? '';
});

/** The authorisation request of a POST (Core §3.1.2.1): the form, as a query string. */
const queryOfForm = loginStep<Record<string, string | string[]> | null>('authorizationRequest', (x) => {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(x.request.body ?? {}))
    for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
  x.state.query = query.toString();
});

/** Start an authorisation session: the request's checks, the SSO session, prompt handling (authz/authz-flow.ts). */
const startFlow = (deps: DataPlaneDeps) =>
  loginStep('startAuthzSession', async (x) => {
    x.state.message = await startAuthzSession(flowOf(x, deps), {
      query: x.state.query!,
      subSid: readCookie(x.request, SSO_COOKIE),
    });
  });

/** The form was made for this browser and this session (signed double submit, csrf.ts). */
const checkCsrf = loginStep<{ sid: string; csrf: string }>('checkCsrf', (x) => {
  const { sid, csrf } = x.request.body;
  if (!csrfValid(x.request, x.request.tenant.secrets['identifier-hmac'], sid, csrf))
    throw new HttpError(403, 'invalid_request', textsOf(x).forged);
});

/** The session exists and waits for this form (an unknown session renders as expired: page-errors.ts). */
const expectStep = (deps: DataPlaneDeps, wanted: 'auth' | 'consent') =>
  loginStep<{ sid: string }>('currentStep', async (x) => {
    const current = await getAuthzSession(flowOf(x, deps), x.request.body.sid);
    if (current.step !== wanted) throw new HttpError(409, 'invalid_session', textsOf(x).expired);
    x.state.current = current;
  });

/**
 * Check the username and password with the tenant's password handler
 * (plugins/password-checks.ts; the user directory by default),
 * behind the guessing brake (brakes/password-brake.ts): the attempt is
 * counted before the password is checked; over a limit, it is not checked.
 * A refusal shows the sign-in form again.
 */
const checkPassword = (deps: DataPlaneDeps) =>
  loginStep<Static<typeof AuthForm>>('checkPassword', async (x) => {
    const { sid, username, password, remember } = x.request.body;
    const context = x.request.tenant;
    const { tid } = context.tenant;
    const reservation =
      username && password ? await deps.oauth.guessingBrake.reserve({ tid, username, ip: x.request.ip }) : undefined;
    const refused = reservation?.allowed === false ? reservation : undefined;
    const subject = reservation?.allowed
      ? await verifyPassword(deps, context, { at: 'sign-in', username, password })
      : null;
    if (subject && reservation?.allowed) await reservation.succeeded();
    if (subject) {
      x.meter('sign_ins', subject.sub);
      x.state.message = await continueAuthzSession(flowOf(x, deps), sid, {
        sub: subject.sub,
        amr: ['pwd'],
        auth_time: epochSeconds(deps.oauth.clock),
      });
      x.state.options = { keep: remember === 'yes' };
      return;
    }
    deps.business?.signIn(tid, refused ? 'throttled' : 'invalid_credentials');
    const current = x.state.current!;
    const auth_req = current.auth_req as Record<string, unknown>;
    const message: AuthMessage = {
      type: 'auth',
      sid,
      display: String(auth_req.display ?? 'page'),
      select_account: false,
      create_account: false,
      client: current.client as AuthMessage['client'],
      request: auth_req,
      ...(typeof auth_req.ui_locales === 'string'
        ? { ui_locales: auth_req.ui_locales.split(' ').filter(Boolean) }
        : {}),
    };
    const t = messagesFor(pageLanguage(context.tenant.config, message.ui_locales));
    if (refused) x.header('retry-after', String(refused.retryAfter));
    return render(
      x,
      deps,
      message,
      refused ? { error: t.tooManyAttempts, status: 429, username } : { error: t.wrongPassword, username },
    );
  });

/** Allow (everything asked, long-lived when remembered) or deny (access_denied to the client). */
const decideConsent = (deps: DataPlaneDeps) =>
  loginStep<Static<typeof ConsentForm>>('decideConsent', async (x) => {
    const { sid, decision, remember, keep } = x.request.body;
    const flow = flowOf(x, deps);
    x.state.message =
      decision === 'allow'
        ? await continueAuthzSession(flow, sid, { scope: '*', claims: '*', long_lived: remember === 'yes' })
        : await cancelAuthzSession(flow, sid);
    x.state.options = { keep: keep === 'yes' };
  });

const showMessage = (deps: DataPlaneDeps) =>
  loginStep('showMessage', (x) => render(x, deps, x.state.message!, x.state.options));

/**
 * The hosted login UI at `/login`, the authorisation endpoint: server-
 * rendered pages that drive the authorisation session logic in-process
 * (authz/authz-flow.ts), authenticate against the tenant's user directory,
 * ask for consent, and set the per-issuer SSO cookie. Errors are pages
 * (page-errors.ts). Steps: authorizationRequest → startAuthzSession →
 * showMessage; checkCsrf → currentStep → checkPassword / decideConsent →
 * showMessage.
 */
export const loginEndpoint: Endpoint = {
  name: 'login',
  area: 'front-channel',
  routes: (deps) => {
    const start = [startFlow(deps), showMessage(deps)];
    return [
      // OpenID Connect Core §3.1.2.1: the authorisation endpoint takes GET and POST.
      route({
        name: 'authorization',
        method: 'GET',
        path: '/login',
        errors: pageErrors,
        schema: { querystring: AnyQuery },
        steps: [queryOfUrl, ...start],
      }),
      route({
        name: 'authorization.post',
        method: 'POST',
        path: '/login',
        errors: pageErrors,
        bodyLimit: 65_536,
        schema: { body: Type.Union([AnyQuery, Type.Null()]) },
        steps: [queryOfForm, ...start],
      }),
      route({
        name: 'login.authenticate',
        method: 'POST',
        path: '/login/authenticate',
        errors: pageErrors,
        schema: { body: AuthForm },
        steps: [checkCsrf, expectStep(deps, 'auth'), checkPassword(deps), showMessage(deps)],
      }),
      route({
        name: 'login.consent',
        method: 'POST',
        path: '/login/consent',
        errors: pageErrors,
        schema: { body: ConsentForm },
        steps: [checkCsrf, expectStep(deps, 'consent'), decideConsent(deps), showMessage(deps)],
      }),
    ];
  },
  /** What the authorisation endpoint does, as discovery publishes it. */
  metadata: (context, issuer) => {
    const config = context.tenant.config;
    return {
      authorization_endpoint: `${issuer}/login`,
      // Pairwise clients get their sector's subject in ID tokens and at UserInfo (shared/src/tokens/pairwise.ts).
      subject_types_supported: ['public', 'pairwise'],
      response_types_supported: [...(config.grants.responseTypes as readonly string[])],
      response_modes_supported: [...ADVERTISED_RESPONSE_MODES],
      authorization_signing_alg_values_supported: tenantSigningAlgorithms(config.keys.signingAlgorithms, 'jarm'),
      authorization_encryption_alg_values_supported: [...JARM_ENCRYPTION_ALGS],
      authorization_encryption_enc_values_supported: [...JARM_ENCRYPTION_ENCS],
      id_token_signing_alg_values_supported: tenantSigningAlgorithms(config.keys.signingAlgorithms, 'id-token'),
      id_token_encryption_alg_values_supported: [...JWE_ALGS],
      id_token_encryption_enc_values_supported: [...JWE_ENCS],
      code_challenge_methods_supported: config.authorization.allowPlainPkce ? ['S256', 'plain'] : ['S256'],
      authorization_response_iss_parameter_supported: true,
      // The tenant's own list when it keeps one (RFC 8414 §2 lets reserved values, such as introspection, go unsaid).
      scopes_supported:
        config.scopes.supported.length > 0
          ? config.scopes.supported.filter((v) => !isReservedScope(v))
          : ['openid', 'profile', 'email', 'address', 'phone'],
      claims_supported: [...STANDARD_CLAIMS],
      claims_parameter_supported: true,
      claim_types_supported: ['normal'],
      request_parameter_supported: true,
      request_uri_parameter_supported: true,
      require_request_uri_registration: true,
      prompt_values_supported: ['none', 'login', 'consent', 'select_account', 'create'],
      display_values_supported: ['page', 'popup', 'touch', 'wap'],
    };
  },
};
