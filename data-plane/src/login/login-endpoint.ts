import { Type, type Static } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { HttpError } from '@tessera/shared/http/errors';
import {
  cancelAuthzSession,
  continueAuthzSession,
  getAuthzSession,
  startAuthzSession,
  type AuthMessage,
  type AuthzMessage,
  type FlowContext,
} from '../authz/authz-flow.ts';
import type { DataPlaneDeps, Endpoint } from '../endpoints/endpoint.ts';
import { epochSeconds } from '../ports/clock.ts';
import { consentPage } from './consent-page.ts';
import { cookieOptions, readCookie, setCookie } from './cookies.ts';
import { browserValue, csrfToken, csrfValid } from './csrf.ts';
import { errorPage } from './error-page.ts';
import { formPostPage } from './form-post-page.ts';
import { cspSource, sendPage } from './html.ts';
import { messagesFor, pageLanguage as languageOf } from './messages.ts';
import { loginPage } from './login-page.ts';

/** The SSO cookie: the subject session id, scoped to the issuer (see cookies.ts). */
const SSO_COOKIE = 'tessera_sso';
const Sid = Type.String({ minLength: 1, maxLength: 200 });
const Csrf = Type.String({ minLength: 1, maxLength: 100 });
const Flag = Type.Optional(Type.Literal('yes'));
const AuthForm = Type.Object(
  { sid: Sid, csrf: Csrf, username: Type.String({ maxLength: 255 }), password: Type.String({ maxLength: 1024 }), remember: Flag },
  { additionalProperties: false },
);
const ConsentForm = Type.Object(
  { sid: Sid, csrf: Csrf, decision: Type.Union([Type.Literal('allow'), Type.Literal('deny')]), remember: Flag, keep: Flag },
  { additionalProperties: false },
);
/** The authorisation request itself is parsed (and repeated parameters refused) by the flow; any query is let through to it. */
const AnyQuery = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));

const flowOf = (request: FastifyRequest, deps: DataPlaneDeps): FlowContext => ({ context: request.tenant!, issuer: request.issuer!, deps });
const expired = (lang: string) => ({ error: 'invalid_session', error_description: messagesFor(lang).expired });
const forged = (lang: string) => ({ error: 'invalid_request', error_description: messagesFor(lang).forged });
/** The page language for a request: `ui_locales` when the flow knows them, else the tenant's first translated locale. */
const pageLanguage = (config: TenantConfig, uiLocales: readonly string[] | undefined) => languageOf(config.login.locales, uiLocales);

/** What a page needs besides the message: where forms may go, the CSRF token, the page language. */
async function pageContext(request: FastifyRequest, reply: FastifyReply, deps: DataPlaneDeps, clientId: string, sid: string) {
  const context = request.tenant!;
  const client = await deps.clients.get(context.tenant.tid, clientId);
  // Chromium applies form-action to the redirect after a form post too: allow the client's registered redirect origins.
  const formTargets = [...new Set((client?.metadata.redirect_uris ?? []).map(cspSource).filter((x): x is string => x !== undefined))];
  return { formTargets, csrf: csrfToken(context.secrets['identifier-hmac'], browserValue(request, reply), sid) };
}

/**
 * Answer an authorisation session message in the browser: the sign-in or
 * consent page, the redirect (or form post) to the client with the SSO
 * cookie set when the flow created a session, or an error page that goes
 * nowhere.
 */
async function render(request: FastifyRequest, reply: FastifyReply, deps: DataPlaneDeps, message: AuthzMessage, extra: { error?: string; status?: number; username?: string; keep?: boolean } = {}): Promise<FastifyReply> {
  const { config } = request.tenant!.tenant;
  const base = request.issuer!;
  switch (message.type) {
    case 'auth': {
      const page = await pageContext(request, reply, deps, message.client.client_id, message.sid);
      return sendPage(reply, config, loginPage(config, message, { ...page, lang: pageLanguage(config, message.ui_locales), action: `${new URL(base).pathname.replace(/\/$/, '')}/login/authenticate`, ...extra }), extra.status ?? (extra.error ? 401 : 200));
    }
    case 'consent': {
      const page = await pageContext(request, reply, deps, message.client.client_id, message.sid);
      const action = `${new URL(base).pathname.replace(/\/$/, '')}/login/consent`;
      return sendPage(reply, config, consentPage(config, message, { ...page, lang: pageLanguage(config, message.ui_locales), action, keepSignedIn: extra.keep === true }));
    }
    case 'response': {
      if (message.sub_sid) {
        const keep = extra.keep === true && config.login.allowRememberMe;
        setCookie(reply, SSO_COOKIE, message.sub_sid, cookieOptions(base, keep ? config.authorization.subjectSessionMaxLife : undefined));
      }
      const lang = pageLanguage(config, undefined);
      if (message.mode.startsWith('form_post')) return sendPage(reply, config, formPostPage(message.parameters.uri, message.parameters.form ?? {}, lang));
      // 303: the browser follows with a GET whatever the method of the form it submitted.
      return reply.code(303).headers({ location: message.parameters.uri, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' }).send();
    }
    case 'error':
      return sendPage(reply, config, errorPage(config, message, pageLanguage(config, undefined)), 400);
  }
}

/** Run a flow step; an unknown or expired session (or a bad submission) becomes an error page, never a redirect. */
async function step(request: FastifyRequest, reply: FastifyReply, deps: DataPlaneDeps, work: () => Promise<AuthzMessage>, extra: { keep?: boolean } = {}): Promise<FastifyReply> {
  let message: AuthzMessage;
  try {
    message = await work();
  } catch (err) {
    if (!(err instanceof HttpError) || err.statusCode >= 500) throw err;
    const config = request.tenant!.tenant.config;
    const shown = err.statusCode === 404 ? expired(pageLanguage(config, undefined)) : { error: err.code, error_description: err.message };
    return sendPage(reply, config, errorPage(config, shown, pageLanguage(config, undefined)), err.statusCode);
  }
  return render(request, reply, deps, message, extra);
}

/** The flow's current step, or null (then an error page is sent). */
async function currentStep(request: FastifyRequest, deps: DataPlaneDeps, sid: string): Promise<Record<string, unknown> | null> {
  try {
    return await getAuthzSession(flowOf(request, deps), sid);
  } catch (err) {
    if (err instanceof HttpError && err.statusCode === 404) return null;
    throw err;
  }
}

function refuse(request: FastifyRequest, reply: FastifyReply, error: (lang: string) => { error: string; error_description: string }, status: number): FastifyReply {
  const config = request.tenant!.tenant.config;
  const lang = pageLanguage(config, undefined);
  return sendPage(reply, config, errorPage(config, error(lang), lang), status);
}

/**
 * The hosted login UI at `/login`, the advertised authorization_endpoint:
 * server-rendered pages that drive the authorisation session logic
 * in-process (authz/authz-flow.ts), authenticate against the tenant's user
 * directory, ask for consent, and set the per-issuer SSO cookie.
 */
export const loginEndpoint: Endpoint = {
  name: 'login',
  register(app, deps: DataPlaneDeps) {
    const start = (request: FastifyRequest, reply: FastifyReply, query: string) =>
      step(request, reply, deps, () => startAuthzSession(flowOf(request, deps), { query, subSid: readCookie(request, SSO_COOKIE) }));

    // OpenID Connect Core §3.1.2.1: the authorisation endpoint takes GET and POST.
    app.get('/login', { schema: { querystring: AnyQuery } }, async (request, reply) => start(request, reply, request.url.split('?')[1] ?? ''));
    app.post<{ Body: Record<string, string | string[]> }>('/login', { schema: { body: Type.Union([AnyQuery, Type.Null()]) }, bodyLimit: 65_536 }, async (request, reply) => {
      const query = new URLSearchParams();
      for (const [name, value] of Object.entries(request.body ?? {})) for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
      return start(request, reply, query.toString());
    });

    app.post<{ Body: Static<typeof AuthForm> }>('/login/authenticate', { schema: { body: AuthForm } }, async (request, reply) => {
      const { sid, csrf, username, password, remember } = request.body;
      const context = request.tenant!;
      if (!csrfValid(request, context.secrets['identifier-hmac'], sid, csrf)) return refuse(request, reply, forged, 403);
      const current = await currentStep(request, deps, sid);
      if (!current) return refuse(request, reply, expired, 404);
      if (current.step !== 'auth') return refuse(request, reply, expired, 409);
      const { tid } = context.tenant;
      // The attempt is counted before the password is checked (brakes/password-brake.ts); over a limit, it is not checked.
      const reservation = username && password ? await deps.oauth.guessingBrake.reserve({ tid, username, ip: request.ip }) : undefined;
      const refused = reservation?.allowed === false ? reservation : undefined;
      const subject = reservation?.allowed ? await deps.directory.authenticate(tid, username, password) : null;
      if (subject && reservation?.allowed) await reservation.succeeded();
      if (!subject) {
        const auth_req = current.auth_req as Record<string, unknown>;
        const message: AuthMessage = {
          type: 'auth', sid, display: String(auth_req.display ?? 'page'), select_account: false, create_account: false,
          client: current.client as AuthMessage['client'], request: auth_req,
          ...(typeof auth_req.ui_locales === 'string' ? { ui_locales: auth_req.ui_locales.split(' ').filter(Boolean) } : {}),
        };
        const t = messagesFor(pageLanguage(context.tenant.config, message.ui_locales));
        if (refused) reply.header('retry-after', String(refused.retryAfter));
        return render(request, reply, deps, message, refused ? { error: t.tooManyAttempts, status: 429, username } : { error: t.wrongPassword, username });
      }
      return step(request, reply, deps, () => continueAuthzSession(flowOf(request, deps), sid, { sub: subject.sub, amr: ['pwd'], auth_time: epochSeconds(deps.oauth.clock) }), { keep: remember === 'yes' });
    });

    app.post<{ Body: Static<typeof ConsentForm> }>('/login/consent', { schema: { body: ConsentForm } }, async (request, reply) => {
      const { sid, csrf, decision, remember, keep } = request.body;
      if (!csrfValid(request, request.tenant!.secrets['identifier-hmac'], sid, csrf)) return refuse(request, reply, forged, 403);
      const current = await currentStep(request, deps, sid);
      if (!current) return refuse(request, reply, expired, 404);
      if (current.step !== 'consent') return refuse(request, reply, expired, 409);
      const flow = flowOf(request, deps);
      return step(
        request,
        reply,
        deps,
        () => (decision === 'allow' ? continueAuthzSession(flow, sid, { scope: '*', claims: '*', long_lived: remember === 'yes' }) : cancelAuthzSession(flow, sid)),
        { keep: keep === 'yes' },
      );
    });
  },
};
