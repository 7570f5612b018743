import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  type AuthzMessage,
  continueAuthzSession,
  type FlowContext,
  startAuthzSession,
} from '../../../src/authz/authz-flow.ts';
import { sessionState } from '../../../src/authz/session-state.ts';
import {
  browserStateCookie,
  browserStateOf,
  rotateBrowserState,
  setBrowserState,
} from '../../../src/login/browser-state.ts';
import { EC_KEYS, registerClient } from '../support/clients.ts';
import { memoryPlane } from '../support/memory-plane.ts';

// OpenID Connect Session Management 1.0: session_state in authentication responses, and the browser-state cookie.

/** Session Management §3, written out again: hash(client_id origin browser_state salt) "." salt. */
const expected = (clientId: string, origin: string, browserState: string, salt: string) =>
  `${createHash('sha256').update(`${clientId} ${origin} ${browserState} ${salt}`).digest('base64url')}.${salt}`;

async function setup() {
  const plane = memoryPlane();
  const tenant = await plane.tenant({ ...EC_KEYS });
  await registerClient(plane, tenant, {
    metadata: {
      redirect_uris: ['https://app.example:8443/cb'],
      scope: 'openid profile',
      grant_types: ['authorization_code'],
      authorization_signed_response_alg: 'ES256',
    },
  });
  const now = Math.floor(plane.clock.now() / 1000);
  const key = tenant.secrets['identifier-hmac'];
  const subSid = await plane.ports.sessions.create(tenant.tenant.tid, key, {
    sub: 'alice',
    authTime: now - 60,
    creationTime: now - 60,
    maxLife: 3600,
  });
  const issuer = tenant.tenant.issuer;
  const hosted: FlowContext = {
    context: tenant,
    issuer,
    deps: plane.deps,
    browserState: (sid) => browserStateOf(key, issuer, sid),
  };
  /** A full flow on the existing session: start, consent, the response's parameters. */
  const respond = async (flow: FlowContext, params: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      client_id: 'app',
      response_type: 'code',
      scope: 'openid',
      redirect_uri: 'https://app.example:8443/cb',
      state: 's1',
      ...params,
    }).toString();
    const consent = await startAuthzSession(flow, { query, subSid });
    expect(consent.type).toBe('consent');
    const message = (await continueAuthzSession(flow, (consent as { sid: string }).sid, {
      scope: '*',
      claims: '*',
    })) as Exclude<Extract<AuthzMessage, { type: 'response' }>, { mode: 'device' }>;
    expect(message.type).toBe('response');
    const { uri, form } = message.parameters;
    const url = new URL(uri);
    const found = form ?? Object.fromEntries(new URLSearchParams(url.hash ? url.hash.slice(1) : url.search));
    if (!found.response) return found;
    return JSON.parse(Buffer.from(found.response.split('.')[1]!, 'base64url').toString()) as Record<string, string>;
  };
  return { plane, tenant, key, issuer, subSid, hosted, respond };
}

describe('session_state', () => {
  it('is the salted SHA-256 of client id, redirect origin and browser state; none for an origin-less URI', () => {
    const value = sessionState('app', 'https://app.example:8443/cb?x=1', 'bs', 'salt');
    expect(value).toBe(expected('app', 'https://app.example:8443', 'bs', 'salt'));
    const [hash, salt] = sessionState('app', 'https://app.example/cb', 'bs')!.split('.');
    expect(hash).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(salt).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(sessionState('app', 'https://app.example/cb', 'bs')).not.toBe(
      sessionState('app', 'https://app.example/cb', 'bs'),
    );
    expect(sessionState('app', 'com.example.app:/cb', 'bs')).toBeUndefined();
  });

  it('is in every response mode of a hosted-login OpenID response, over the session’s browser state', async () => {
    const { key, issuer, subSid, hosted, respond } = await setup();
    const browserState = browserStateOf(key, issuer, subSid);
    for (const response_mode of ['query', 'fragment', 'form_post', 'query.jwt', 'fragment.jwt', 'form_post.jwt']) {
      const params = await respond(hosted, { response_mode });
      expect(params.state, response_mode).toBe('s1');
      const salt = params.session_state!.split('.')[1]!;
      expect(params.session_state, response_mode).toBe(expected('app', 'https://app.example:8443', browserState, salt));
    }
  });

  it('is left out without openid, and for the authorisation session API (no browser state of the issuer’s site)', async () => {
    const { hosted, respond } = await setup();
    expect((await respond(hosted, { scope: 'profile' })).session_state).toBeUndefined();
    const { browserState: _, ...api } = hosted;
    const params = await respond(api);
    expect(params.code).toBeDefined();
    expect(params.session_state).toBeUndefined();
  });
});

describe('browser-state cookie', () => {
  const headersOf = (work: (sink: { header(name: 'set-cookie', value: string): void }) => void) => {
    const lines: string[] = [];
    work({ header: (_name, value) => lines.push(value) });
    return lines;
  };

  it('is readable by script, SameSite=None and Secure on https, Lax on http, scoped to the issuer path', () => {
    const issuer = 'https://op.example/t1';
    const [line] = headersOf((sink) =>
      setBrowserState({ headers: {}, issuer }, sink, Buffer.alloc(32, 1), 'sub-sid', 3600),
    );
    expect(line).toBe(
      `${browserStateCookie(issuer)}=${browserStateOf(Buffer.alloc(32, 1), issuer, 'sub-sid')}; Path=/t1; SameSite=None; Secure; Max-Age=3600`,
    );
    const [local] = headersOf((sink) => rotateBrowserState(sink, 'http://127.0.0.1:8080/t2', 60));
    expect(local).toMatch(/^tessera_bs_[A-Za-z0-9_-]{10}=[A-Za-z0-9_-]{43}; Path=\/t2; SameSite=Lax; Max-Age=60$/);
    expect(local).not.toContain('HttpOnly');
  });

  it('is set only when the browser does not hold the session’s state yet, and rotation gives a new value', () => {
    const issuer = 'https://op.example/t1';
    const key = Buffer.alloc(32, 2);
    const cookie = `${browserStateCookie(issuer)}=${browserStateOf(key, issuer, 'sid-1')}`;
    expect(headersOf((sink) => setBrowserState({ headers: { cookie }, issuer }, sink, key, 'sid-1', 60))).toEqual([]);
    expect(headersOf((sink) => setBrowserState({ headers: { cookie }, issuer }, sink, key, 'sid-2', 60))).toHaveLength(
      1,
    );
    expect(browserStateOf(key, issuer, 'sid-1')).not.toBe(browserStateOf(key, 'https://op.example/t2', 'sid-1'));
    const values = [0, 1].map(() => headersOf((sink) => rotateBrowserState(sink, issuer, 60))[0]!.split(';')[0]);
    expect(values[0]).not.toBe(values[1]);
  });
});
