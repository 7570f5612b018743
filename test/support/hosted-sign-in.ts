import { createHash } from 'node:crypto';
import { expect } from 'vitest';
import { basicAuth } from './issuer-http.ts';
import type { InProcessPlanes } from './planes.ts';

type DataPlaneApp = InProcessPlanes['dp']['app'];
type Reply = Awaited<ReturnType<DataPlaneApp['inject']>>;

export interface HostedSignInOptions {
  tid: string;
  client: { clientId: string; secret: string };
  redirectUri: string;
  scope: string;
  username: string;
  password: string;
  /** More authorisation request parameters (nonce, claims, …). */
  params?: Record<string, string>;
}

/** Each step's answer: `consented` only when the sign-in led to the consent page, `tokens` when consent redirected. */
export interface HostedSignIn {
  signIn: Reply;
  consented?: Reply;
  /** The authorisation code the consent redirected with. */
  code?: string;
  tokens?: Reply;
  /** The browser's cookies after the last step. */
  cookies: Record<string, string>;
}

/**
 * What a browser and its client do through the hosted login: the sign-in
 * page (PKCE S256), the username and password, consent (allow), then the
 * code at the token endpoint with client_secret_basic. Cookies are carried
 * from step to step as a browser would.
 */
export async function hostedSignIn(app: DataPlaneApp, options: HostedSignInOptions): Promise<HostedSignIn> {
  const { tid, client, redirectUri } = options;
  const form = 'application/x-www-form-urlencoded';
  const verifier = 'v'.repeat(43);
  const query = new URLSearchParams({
    response_type: 'code',
    client_id: client.clientId,
    redirect_uri: redirectUri,
    scope: options.scope,
    state: 'st',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    ...options.params,
  });
  let cookies: Record<string, string> = {};
  const remember = (res: Reply) => {
    for (const c of res.cookies) cookies = { ...cookies, [c.name]: c.value };
  };
  const field = (html: string, name: string) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))![1]!;
  const post = (url: string, body: Record<string, string>) =>
    app.inject({
      method: 'POST',
      url,
      headers: {
        'tenant-id': tid,
        'content-type': form,
        cookie: Object.entries(cookies)
          .map(([k, v]) => `${k}=${v}`)
          .join('; '),
      },
      payload: new URLSearchParams(body).toString(),
    });

  const page = await app.inject({ method: 'GET', url: `/login?${query}`, headers: { 'tenant-id': tid } });
  expect(page.statusCode).toBe(200);
  remember(page);
  const signIn = await post('/login/authenticate', {
    sid: field(page.body, 'sid'),
    csrf: field(page.body, 'csrf'),
    username: options.username,
    password: options.password,
  });
  if (signIn.statusCode !== 200 || !signIn.body.includes('name="decision"')) return { signIn, cookies };
  remember(signIn);
  const consented = await post('/login/consent', {
    sid: field(signIn.body, 'sid'),
    csrf: field(signIn.body, 'csrf'),
    decision: 'allow',
  });
  if (consented.statusCode !== 303) return { signIn, consented, cookies };
  remember(consented);
  const code = new URL(String(consented.headers.location)).searchParams.get('code')!;
  const tokens = await app.inject({
    method: 'POST',
    url: '/token',
    headers: { 'tenant-id': tid, 'content-type': form, authorization: basicAuth(client.clientId, client.secret) },
    payload: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }).toString(),
  });
  return { signIn, consented, code, tokens, cookies };
}
