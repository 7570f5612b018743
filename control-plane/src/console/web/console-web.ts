import { timingSafeEqual } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import type { MasterKey } from '@tessera/shared/crypto/master-key';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Redis } from 'ioredis';
import * as oidc from 'openid-client';
import type { ConsoleSettings } from '../console-settings.ts';
import type { ConsoleTokens } from '../console-tokens.ts';
import { CONSOLE_CSS, CONSOLE_JS } from './assets.ts';
import { ConsoleOidc, callbackUrl, signedOutUrl } from './console-oidc.ts';
import { type ConsoleSession, ConsoleSessions } from './console-sessions.ts';
import { html } from './html.ts';
import { layout, type Viewer } from './layout.ts';
import { apiAs, type PageContext, type PageResult } from './page-context.ts';
import { CONSOLE_PAGES } from './pages/index.ts';

export interface ConsoleWebDeps {
  redis: Redis;
  masterKey: MasterKey;
  settings: () => Promise<ConsoleSettings | undefined>;
  tokens: ConsoleTokens;
}

const SESSION_COOKIE = 'tessera_console';
const SIGN_IN_COOKIE = 'tessera_console_sign_in';
/**
 * Nothing but the console's own assets; no framing; forms post only to the
 * console, whose sign-out answers with a redirect to the operator tenant
 * (form-action governs a form's redirects too, so that origin is listed).
 */
const csp = (operatorOrigin: string | undefined) =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'${operatorOrigin ? ` ${operatorOrigin}` : ''}; frame-ancestors 'none'; base-uri 'none'`;

/**
 * The admin console (docs/console.md): server-rendered pages under
 * /console, signed in at the operator tenant (code + PKCE, openid-client).
 * A page acts only through the control-plane API with the user's own access
 * token, so every role rule is the API's, not the page's. Its routes skip
 * the API's bearer auth (`public`) and check the console session instead;
 * every form post carries the session's CSRF token.
 */
export async function registerConsoleWeb(root: FastifyInstance, deps: ConsoleWebDeps): Promise<void> {
  const sessions = new ConsoleSessions(deps.redis, deps.masterKey);
  const oidcs = new ConsoleOidc(deps.settings);

  await root.register(async (app) => {
    await app.register(cookie);
    await app.register(formbody, { bodyLimit: 256 * 1024 });
    app.addHook('onSend', async (_request, reply, payload) => {
      const settings = await deps.settings().catch(() => undefined);
      reply.header('content-security-policy', csp(settings ? new URL(settings.issuer).origin : undefined));
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'no-referrer');
      if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
      return payload;
    });
    const route = { config: { public: true }, schema: { hide: true } } as const;

    const sendPage = (
      reply: FastifyReply,
      title: string,
      body: ReturnType<typeof html>,
      status = 200,
      viewer?: Viewer,
    ) =>
      reply
        .code(status)
        .type('text/html; charset=utf-8')
        .send(layout({ title, body, ...(viewer ? { viewer } : {}) }));

    app.get('/console/assets/console.css', route, async (_req, reply) =>
      reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=300').send(CONSOLE_CSS),
    );
    app.get('/console/assets/console.js', route, async (_req, reply) =>
      reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=300').send(CONSOLE_JS),
    );
    app.get('/console', route, async (_req, reply) => reply.redirect('/console/tenants', 303));

    // ---- sign-in at the operator tenant
    app.get<{ Querystring: { return_to?: string } }>('/console/sign-in', route, async (request, reply) => {
      const configured = await oidcs.configuration().catch(() => undefined);
      if (!configured)
        return sendPage(
          reply,
          'Console unavailable',
          html`<h1>The console is not available</h1><p>It is not set up, or the operator tenant cannot be reached. An operator sets it up with <code>tessera console setup</code> (docs/console.md).</p>`,
          // Not set up is the common case (a deployment without a console): nothing is here, rather than a server fault.
          404,
        );
      const { settings, config } = configured;
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const nonce = oidc.randomNonce();
      await sessions.begin(state, { verifier, nonce, returnTo: safeReturn(request.query.return_to) });
      const url = oidc.buildAuthorizationUrl(config, {
        redirect_uri: callbackUrl(settings),
        scope: 'openid profile',
        state,
        nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        resource: settings.audience,
        // The name in the header: asked for in the ID token (OIDC Core §5.5), since the access token is for the control plane, not userinfo.
        claims: JSON.stringify({ id_token: { name: null, preferred_username: null } }),
      });
      reply.setCookie(SIGN_IN_COOKIE, state, {
        path: '/console',
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.consoleUrl.startsWith('https:'),
        maxAge: 600,
      });
      return reply.redirect(url.href, 303);
    });

    app.get<{ Querystring: Record<string, string> }>('/console/callback', route, async (request, reply) => {
      const state = request.query.state;
      const bound = request.cookies[SIGN_IN_COOKIE];
      // The sign-in must come back to the browser that started it.
      if (!state || !bound || !equal(state, bound))
        return sendPage(
          reply,
          'Sign-in failed',
          html`<h1>Sign-in failed</h1><p>This sign-in was not started in this browser, or it took too long. <a href="/console/sign-in">Sign in again</a>.</p>`,
          400,
        );
      reply.clearCookie(SIGN_IN_COOKIE, { path: '/console' });
      const pending = await sessions.finish(state);
      const configured = await oidcs.configuration().catch(() => undefined);
      if (!pending || !configured)
        return sendPage(
          reply,
          'Sign-in failed',
          html`<h1>Sign-in failed</h1><p>This sign-in has expired or was already used. <a href="/console/sign-in">Sign in again</a>.</p>`,
          400,
        );
      const { settings, config } = configured;
      let tokens: oidc.TokenEndpointResponse & oidc.TokenEndpointResponseHelpers;
      try {
        tokens = await oidc.authorizationCodeGrant(
          config,
          new URL(request.url, settings.consoleUrl),
          {
            pkceCodeVerifier: pending.verifier,
            expectedState: state,
            expectedNonce: pending.nonce,
            idTokenExpected: true,
          },
          { resource: settings.audience },
        );
      } catch (err) {
        const described = err as { error?: string; error_description?: string; message?: string };
        request.log.warn({ err: described.error ?? described.message }, 'console sign-in failed');
        return sendPage(
          reply,
          'Sign-in failed',
          html`<h1>Sign-in failed</h1><p>The operator tenant answered: ${described.error_description ?? described.error ?? 'the sign-in could not be completed'}.</p><p><a href="/console/sign-in">Sign in again</a></p>`,
          400,
        );
      }
      const claims = tokens.claims()!;
      try {
        await deps.tokens.verify(tokens.access_token);
      } catch (err) {
        const status = err instanceof HttpError ? err.statusCode : 401;
        return sendPage(
          reply,
          'No access',
          html`<h1>No access to the console</h1><p>You signed in as <strong>${String(claims.name ?? claims.sub)}</strong>, who is not a member of this console. An owner can add you (<code>tessera console members set ${claims.sub} --role viewer</code>).</p>`,
          status === 403 ? 403 : 401,
        );
      }
      const expiresIn = typeof tokens.expires_in === 'number' ? tokens.expires_in : 600;
      const session: ConsoleSession = {
        sub: claims.sub,
        name: String(claims.name ?? claims.preferred_username ?? claims.sub),
        accessToken: tokens.access_token,
        idToken: tokens.id_token!,
        csrf: oidc.randomState(),
        expiresAt: Date.now() + expiresIn * 1000,
      };
      const id = await sessions.create(session);
      reply.setCookie(SESSION_COOKIE, id, {
        path: '/console',
        httpOnly: true,
        sameSite: 'lax',
        secure: settings.consoleUrl.startsWith('https:'),
      });
      return reply.redirect(pending.returnTo, 303);
    });

    app.post<{ Body: Record<string, string> }>('/console/sign-out', route, async (request, reply) => {
      const id = request.cookies[SESSION_COOKIE];
      const session = await sessions.get(id);
      if (session && !equal(String(request.body?._csrf ?? ''), session.csrf))
        return sendPage(reply, 'Refused', html`<h1>Refused</h1><p>The form was not sent from this console.</p>`, 403);
      await sessions.destroy(id);
      reply.clearCookie(SESSION_COOKIE, { path: '/console' });
      const configured = await oidcs.configuration().catch(() => undefined);
      if (!configured?.config.serverMetadata().end_session_endpoint || !session)
        return reply.redirect('/console/signed-out', 303);
      // RP-initiated logout: the operator tenant ends its SSO session too, then sends the browser back here.
      const url = oidc.buildEndSessionUrl(configured.config, {
        id_token_hint: session.idToken,
        post_logout_redirect_uri: signedOutUrl(configured.settings),
      });
      return reply.redirect(url.href, 303);
    });

    app.get('/console/signed-out', route, async (_request, reply) =>
      sendPage(
        reply,
        'Signed out',
        html`<h1>You are signed out</h1><p><a href="/console/sign-in">Sign in again</a></p>`,
      ),
    );

    // The live config check of the tenant editor (console.js): the API's own answer, passed through.
    app.post('/console/config-check', route, async (request, reply) => {
      const session = await sessions.get(request.cookies[SESSION_COOKIE]);
      if (!session)
        return reply.code(401).send({ error: 'signed_out', error_description: 'Your console session has ended' });
      if (!equal(String(request.headers['x-csrf-token'] ?? ''), session.csrf))
        return reply.code(403).send({ error: 'forbidden', error_description: 'Not sent from this console' });
      const answer = await apiAs(root, session.accessToken)('POST', '/config/check', request.body ?? {});
      return reply.code(answer.status).send(answer.status === 204 ? undefined : answer.body);
    });

    // ---- the pages: each one signed in, its form posts CSRF-checked, its API calls made as the user
    for (const page of CONSOLE_PAGES) {
      const handler = async (request: FastifyRequest, reply: FastifyReply) => {
        const id = request.cookies[SESSION_COOKIE];
        const session = await sessions.get(id);
        if (!session) {
          if (request.method !== 'GET')
            return sendPage(
              reply,
              'Signed out',
              html`<h1>Your session has ended</h1><p><a href="/console/sign-in">Sign in again</a>; the change was not made.</p>`,
              401,
            );
          return reply.redirect(`/console/sign-in?return_to=${encodeURIComponent(request.url)}`, 303);
        }
        if (request.method !== 'GET') {
          const sent = String(
            (request.body as Record<string, unknown> | undefined)?._csrf ?? request.headers['x-csrf-token'] ?? '',
          );
          if (!equal(sent, session.csrf))
            return sendPage(
              reply,
              'Refused',
              html`<h1>Refused</h1><p>The form was not sent from this console; nothing was changed.</p>`,
              403,
            );
        }
        const api = apiAs(root, session.accessToken);
        const me = await api<{ role: string; tid: string | null }>('GET', '/console/rest/v1/me');
        if (me.status === 401) {
          await sessions.destroy(id);
          return reply.redirect(
            `/console/sign-in?return_to=${encodeURIComponent(request.method === 'GET' ? request.url : '/console/tenants')}`,
            303,
          );
        }
        if (me.status !== 200)
          return sendPage(
            reply,
            'No access',
            html`<h1>No access</h1><p>${String((me.body as { error_description?: string }).error_description ?? 'The control plane refused this session.')}</p>`,
            me.status,
          );
        const viewer: Viewer = { name: session.name, role: me.body.role, tid: me.body.tid, csrf: session.csrf };
        const ctx: PageContext = { viewer, api };
        const result: PageResult = await page.handle(ctx, request);
        if ('redirect' in result) return reply.redirect(result.redirect, 303);
        return sendPage(reply, result.title, result.body, result.status ?? 200, viewer);
      };
      if (page.method === 'GET') app.get(page.path, route, handler);
      else app.post(page.path, route, handler);
    }
  });
}

/** Only a console path of this server: never another origin (`//evil`, `/\\evil`). */
function safeReturn(value: string | undefined): string {
  return value && /^\/console(?:[/?#]|$)/.test(value) && !/[\\\r\n]/.test(value) && !value.startsWith('//')
    ? value
    : '/console/tenants';
}

function equal(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
