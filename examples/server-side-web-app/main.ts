/**
 * Server-side web app: a node:http app that signs its users in with the
 * authorization code flow (openid-client 6: PKCE, state and nonce, the code
 * redeemed with its client secret), then shows the ID token's claims and
 * UserInfo. The login state waits in memory under a random cookie.
 *
 *   TESSERA_ISSUER=http://localhost:8080/demo CLIENT_ID=… CLIENT_SECRET=… \
 *   REDIRECT_URI=http://localhost:3000/callback node --import tsx examples/server-side-web-app/main.ts
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import * as oidc from 'openid-client';
import { discover } from '../shared/discover.ts';
import { env } from '../shared/env.ts';

const redirectUri = new URL(env('REDIRECT_URI', 'http://localhost:3000/callback'));
const scope = env('SCOPE', 'openid profile email');
const config = await discover(oidc.ClientSecretBasic(env('CLIENT_SECRET')));

/** Logins under way, by the browser's cookie: what the callback must check. */
const pending = new Map<string, { verifier: string; state: string; nonce: string }>();
const COOKIE = 'login';
const cookieOf = (req: IncomingMessage) => /(?:^|;\s*)login=([A-Za-z0-9_-]+)/.exec(req.headers.cookie ?? '')?.[1] ?? '';
const html = (res: ServerResponse, status: number, body: string) =>
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8' })
    .end(`<!doctype html><html lang="en">${body}</html>`);
const htmlText = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

async function login(res: ServerResponse) {
  const verifier = oidc.randomPKCECodeVerifier();
  const login = { verifier, state: oidc.randomState(), nonce: oidc.randomNonce() };
  const id = randomBytes(16).toString('base64url');
  pending.set(id, login);
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri.href,
    scope,
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state: login.state,
    nonce: login.nonce,
  });
  res
    .writeHead(302, {
      location: url.href,
      'set-cookie': `${COOKIE}=${id}; Path=/; HttpOnly; SameSite=Lax; Max-Age=600`,
    })
    .end();
}

async function callback(req: IncomingMessage, res: ServerResponse) {
  const id = cookieOf(req);
  const login = pending.get(id);
  if (!login) return html(res, 400, '<p>No login under way. <a href="/login">Sign in</a></p>');
  pending.delete(id);
  const tokens = await oidc.authorizationCodeGrant(config, new URL(req.url!, redirectUri), {
    pkceCodeVerifier: login.verifier,
    expectedState: login.state,
    expectedNonce: login.nonce,
    idTokenExpected: true,
  });
  const claims = tokens.claims()!;
  const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
  console.log(`signed in: ${JSON.stringify({ id_token_claims: claims, userinfo, scope: tokens.scope })}`);
  html(
    res,
    200,
    `<title>Signed in</title><h1>Hello ${htmlText(String(userinfo.name ?? claims.sub))}</h1><pre>${htmlText(JSON.stringify(userinfo, null, 2))}</pre>`,
  );
}

const server = createServer((req, res) => {
  const path = new URL(req.url!, redirectUri).pathname;
  const work =
    path === '/login'
      ? login(res)
      : path === redirectUri.pathname
        ? callback(req, res)
        : Promise.resolve(html(res, 200, '<title>Web app</title><a href="/login">Sign in</a>'));
  work.catch((e: unknown) => {
    // An error answer from the provider (access_denied, invalid_grant, …) or a state that does not match.
    console.log(`login failed: ${e instanceof Error ? e.message : String(e)}`);
    html(res, 400, `<p>Sign-in failed: ${htmlText(e instanceof Error ? e.message : String(e))}</p>`);
  });
});

server.listen(Number(redirectUri.port || 80), redirectUri.hostname === 'localhost' ? '127.0.0.1' : undefined, () => {
  console.log(`web app listening on ${redirectUri.origin}/ (sign in at ${redirectUri.origin}/login)`);
});
