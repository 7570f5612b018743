import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type RawAnswer, rawExchange } from './support/raw-http.ts';
import { type ListedRoute, listRoutes } from './support/route-list.ts';
import { fuzzSeed, SeededRandom } from './support/seeded-random.ts';

/**
 * Malformed input to every route of both planes (listed from fastify itself,
 * so new routes are covered without touching this file): bad JSON, NUL and
 * other control characters in the path, query, body and headers, huge and
 * deeply nested bodies, invalid percent-encoding, wrong content types,
 * duplicate parameters and headers. No answer may be a 5xx or show a stack
 * trace. Requests go over real sockets, byte for byte, so node's parser and
 * fastify see what an attacker would send. Half the cases
 * are free-form, half break one or two fields of a near-valid request
 * (TEMPLATES), so they get past authentication and the first checks. The
 * cases come from a seeded generator: FUZZ_SEED=<seed> replays a run.
 */

/** FUZZ_CASES=<n> for a longer run. */
const CASES_PER_ROUTE = Number(process.env.FUZZ_CASES ?? 40);
const CONCURRENCY = 12;

/** Names requests of these routes commonly carry: fuzzed values land where handlers look. */
const FIELDS = [
  'client_id',
  'client_secret',
  'client_assertion',
  'client_assertion_type',
  'grant_type',
  'scope',
  'code',
  'code_verifier',
  'redirect_uri',
  'response_type',
  'response_mode',
  'state',
  'nonce',
  'request',
  'request_uri',
  'refresh_token',
  'token',
  'token_type_hint',
  'access_token',
  'username',
  'password',
  'sub',
  'subject',
  'cid',
  'scp',
  'id',
  'sid',
  'limit',
  'after',
  'wait',
  'tid',
  'issuer',
  'name',
  'config',
  'plan',
  'attrs',
  'expires_in',
  'claims',
  'prompt',
  'max_age',
  'acr_values',
  'resource',
  'audience',
  'quiet',
  'timestamp',
  'actor',
  'redirect_uris',
  'grant_types',
  'jwks',
  'jwks_uri',
  'csrf',
  'action',
  'login_hint',
  'id_token_hint',
  'authorization_details',
  'dpop_jkt',
  'ui_locales',
  'claims_locales',
  'kid',
  'alg',
  'mode',
  'code_challenge',
  'code_challenge_method',
];

/** Values that have broken parsers and databases elsewhere. */
const NASTY = [
  '\u0000',
  'a\u0000b',
  '\u0001',
  '\u0008',
  '\u001b[31m',
  '\u001f',
  '\u007f',
  '\u0085',
  '\ud800',
  '\udfff',
  '\ufeff',
  '\uffff',
  '',
  ' ',
  '\t',
  '\r\nX-Injected: 1',
  'x'.repeat(5000),
  '../../../etc/passwd',
  '%',
  '%00',
  '{}',
  '[]',
  'null',
  'true',
  '-1',
  '0',
  '1e309',
  '9007199254740993',
  'NaN',
  '😀',
  '<script>alert(1)</script>',
  "' OR 1=1 --",
  '\\',
  '"',
  '__proto__',
  'constructor',
  'http://',
  'https://127.0.0.1:1/x',
  'openid',
  'authorization_code',
  'client_credentials',
  'refresh_token',
  'password',
  'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
  'eyJhbGciOiJub25lIn0.e30.',
  'a.b.c',
  'a'.repeat(129),
];

/** Percent sequences no decoder should accept as text (truncated, non-hex, overlong, surrogate, invalid byte). */
const BAD_PERCENT = [
  '%',
  '%z',
  '%zz',
  '%0',
  '%E0%A4',
  '%C0%80',
  '%ED%A0%80',
  '%FF',
  '%F4%90%80%80',
  '%%',
  '%u0000',
  '%00',
];

/** Plausible values of known fields: a case mixes them with nasty ones, so it reaches past the first check. */
const PLAUSIBLE: Record<string, (ids: Identities) => string[]> = {
  grant_type: () => [
    'client_credentials',
    'authorization_code',
    'refresh_token',
    'password',
    'urn:ietf:params:oauth:grant-type:jwt-bearer',
    'urn:ietf:params:oauth:grant-type:token-exchange',
  ],
  client_id: (ids) => [ids.clientId],
  cid: (ids) => [ids.clientId],
  client_secret: (ids) => [ids.secret],
  client_assertion_type: () => ['urn:ietf:params:oauth:client-assertion-type:jwt-bearer'],
  scope: () => ['openid', 'openid read', 'read', 'offline_access'],
  scp: () => ['openid', 'read'],
  response_type: () => ['code', 'code id_token', 'token', 'id_token'],
  response_mode: () => ['query', 'fragment', 'form_post', 'jwt', 'query.jwt'],
  redirect_uri: () => [REDIRECT],
  redirect_uris: () => [REDIRECT],
  code_challenge: () => ['E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM'],
  code_challenge_method: () => ['S256', 'plain'],
  username: () => ['alice'],
  sub: () => ['alice'],
  subject: () => ['alice'],
  prompt: () => ['none', 'login', 'consent'],
  max_age: () => ['0', '60'],
  claims: () => [
    '{"id_token":{"email":{"essential":true}},"userinfo":{"name":null}}',
    '{"id_token":{"acr":{"values":["x"]}}}',
  ],
  authorization_details: () => ['[{"type":"payment"}]'],
  request_uri: () => ['urn:ietf:params:oauth:request_uri:abc'],
  token_type_hint: () => ['access_token', 'refresh_token'],
  tid: (ids) => [ids.tid],
  limit: () => ['1', '1000'],
  expires_in: () => ['60'],
  wait: () => ['true'],
};

const REDIRECT = 'https://app.example/cb';

/**
 * Near-valid requests for routes that need many parameters right before they
 * get far (a token request, an authorisation request): a case takes one and
 * breaks a field or two. Routes without one get only the free-form cases.
 */
interface Template {
  auth: 'client' | 'api' | 'none';
  query?: Record<string, string>;
  form?: Record<string, string>;
  json?: Record<string, unknown>;
}
const AUTHZ = (ids: Identities) => ({
  response_type: 'code',
  client_id: ids.clientId,
  redirect_uri: REDIRECT,
  scope: 'openid read',
  state: 's',
  nonce: 'n',
  code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
  code_challenge_method: 'S256',
});
const TEMPLATES: Record<string, Array<(ids: Identities) => Template>> = {
  'POST /token': [
    () => ({ auth: 'client', form: { grant_type: 'client_credentials', scope: 'read' } }),
    () => ({
      auth: 'client',
      form: {
        grant_type: 'authorization_code',
        code: 'x'.repeat(43),
        redirect_uri: REDIRECT,
        code_verifier: 'v'.repeat(43),
      },
    }),
    () => ({ auth: 'client', form: { grant_type: 'refresh_token', refresh_token: 'x'.repeat(43), scope: 'read' } }),
    () => ({
      auth: 'client',
      form: { grant_type: 'password', username: 'alice', password: 'alice-password', scope: 'openid read' },
    }),
    (ids) => ({
      auth: 'none',
      form: { grant_type: 'client_credentials', client_id: ids.clientId, client_secret: ids.secret },
    }),
    (ids) => ({
      auth: 'none',
      form: {
        grant_type: 'client_credentials',
        client_id: ids.clientId,
        client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
        client_assertion: 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln',
      },
    }),
  ],
  'POST /token/introspect': [
    () => ({ auth: 'client', form: { token: 'x'.repeat(43), token_type_hint: 'access_token' } }),
  ],
  'POST /token/revoke': [() => ({ auth: 'client', form: { token: 'x'.repeat(43), token_type_hint: 'refresh_token' } })],
  'POST /par': [(ids) => ({ auth: 'client', form: AUTHZ(ids) })],
  'GET /login': [
    (ids) => ({ auth: 'none', query: AUTHZ(ids) }),
    (ids) => ({
      auth: 'none',
      query: {
        ...AUTHZ(ids),
        prompt: 'none',
        max_age: '0',
        claims: '{"id_token":{"email":null}}',
        response_mode: 'form_post',
      },
    }),
  ],
  'POST /login': [(ids) => ({ auth: 'none', form: AUTHZ(ids) })],
  'POST /authz-sessions/rest/v3': [
    (ids) => ({ auth: 'api', json: { query: new URLSearchParams(AUTHZ(ids)).toString() } }),
  ],
  'POST /direct-authz/rest/v2': [
    (ids) => ({
      auth: 'api',
      json: { sub: 'alice', client_id: ids.clientId, scope: ['openid', 'read'], claims: ['email'] },
    }),
  ],
  'PUT /authz-store/rest/v3/authorizations': [
    (ids) => ({ auth: 'api', json: { sub: 'alice', cid: ids.clientId, scp: ['read'] } }),
  ],
  'POST /authz-store/rest/v3/revocation': [
    (ids) => ({ auth: 'api', form: { subject: 'alice', client_id: ids.clientId } }),
  ],
  'POST /authz-store/rest/v3/inspection': [() => ({ auth: 'api', form: { access_token: 'x'.repeat(43) } })],
  'POST /clients': [
    () => ({
      auth: 'api',
      json: { redirect_uris: [REDIRECT], client_name: 'n', grant_types: ['authorization_code'], scope: 'openid' },
    }),
  ],
  'PUT /clients/:client_id': [
    (ids) => ({
      auth: 'api',
      json: { client_id: ids.clientId, redirect_uris: [REDIRECT], grant_types: ['client_credentials'] },
    }),
  ],
  'POST /directory/rest/v1/users': [
    () => ({ auth: 'api', json: { username: 'bob', password: 'a-long-password', claims: { email: 'b@example.com' } } }),
  ],
  'PATCH /directory/rest/v1/users/:sub': [
    () => ({ auth: 'api', json: { claims: { email: 'a@example.com', name: null } } }),
  ],
};

const CONTENT_TYPES = [
  'application/json',
  'application/x-www-form-urlencoded',
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'multipart/form-data',
  'application/json; charset=utf-16',
  'application/x-www-form-urlencoded; charset=iso-8859-1',
  'application/jwt',
  'application/jose',
  '*/*',
  ';;;',
  'application/json;;charset',
  'APPLICATION/JSON',
  'application/x-www-form-urlencoded, application/json',
];

interface Target {
  plane: 'data' | 'control';
  port: number;
  route: ListedRoute;
}

interface Identities {
  tid: string;
  issuerPath: string;
  apiToken: string;
  operatorKey: string;
  clientId: string;
  secret: string;
}

/** Percent-encode every byte of the UTF-8 form that is not unreserved (so NUL is %00, a lone surrogate EF BF BD). */
function percentEncode(value: string): string {
  let out = '';
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

class CaseMaker {
  constructor(
    readonly r: SeededRandom,
    readonly ids: Identities,
  ) {}

  value(): string {
    const r = this.r;
    const i = this.ids;
    if (r.chance(0.02)) return r.pick(['[', '{"a":']).repeat(3000); // JSON text a parameter may carry (claims, authorization_details), nested deep
    return r.chance(0.75)
      ? r.pick(NASTY)
      : r.pick([i.tid, i.clientId, 'alice', 'x']) + (r.chance(0.5) ? r.pick(NASTY) : '');
  }

  /** For a known field, often a plausible value (so the request gets past the first check), else a nasty one. */
  fieldValue(name: string): string {
    const plausible = Object.hasOwn(PLAUSIBLE, name) ? PLAUSIBLE[name]!(this.ids) : undefined;
    return plausible !== undefined && this.r.chance(0.45) ? this.r.pick(plausible) : this.value();
  }

  /** A value as it goes into a URL: encoded, raw-but-invalid, or with bad percent sequences. */
  urlValue(name?: string): string {
    const r = this.r;
    const roll = r.int(10);
    const value = name === undefined ? this.value() : this.fieldValue(name);
    if (roll < 6) return percentEncode(value);
    if (roll < 9) return percentEncode(value) + r.pick(BAD_PERCENT);
    return r.pick(['\u0000', '\u0001', ' ', '\u007f', '#', '?', '//', '\u00e9']); // raw bytes node's parser must refuse or read
  }

  pathFor(route: ListedRoute): string {
    const r = this.r;
    const { ids } = this;
    return route.url
      .replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
        if (r.chance(0.35)) {
          const real: Record<string, string> = {
            tid: ids.tid,
            client_id: ids.clientId,
            id: ids.clientId,
            sub: 'alice',
          };
          if (real[name]) return real[name];
        }
        return this.urlValue();
      })
      .replace(/\*$/, () => this.urlValue());
  }

  query(): string {
    const r = this.r;
    if (r.chance(0.3)) return '';
    const parts: string[] = [];
    const n = 1 + r.int(4);
    for (let k = 0; k < n; k++) {
      const name = r.chance(0.9) ? r.pick(FIELDS) : this.urlValue();
      parts.push(`${name}=${this.urlValue(name)}`);
      if (r.chance(0.3)) parts.push(`${name}=${this.urlValue(name)}`); // duplicate parameter
    }
    if (r.chance(0.1)) parts.push('&&', '=', 'a[b]=1', 'a[]=1');
    return `?${parts.join('&')}`;
  }

  jsonValue(depth: number): unknown {
    const r = this.r;
    const roll = r.int(depth > 2 ? 5 : 9);
    if (roll === 0) return null;
    if (roll === 1) return r.pick([0, -1, 1e308, 2 ** 53 + 1, 0.5, -0]);
    if (roll === 2) return r.chance(0.5);
    if (roll <= 4) return this.value();
    if (roll <= 6) return Array.from({ length: r.int(4) }, () => this.jsonValue(depth + 1));
    return this.jsonObject(depth + 1);
  }

  /** A member's value: often a plausible one, as a string or in an array. */
  jsonMember(name: string, depth: number): unknown {
    const r = this.r;
    if (Object.hasOwn(PLAUSIBLE, name) && r.chance(0.5))
      return r.chance(0.8) ? this.fieldValue(name) : [this.fieldValue(name)];
    return this.jsonValue(depth);
  }

  jsonObject(depth = 0): Record<string, unknown> {
    const r = this.r;
    const object: Record<string, unknown> = {};
    const n = r.int(6);
    for (let k = 0; k < n; k++) {
      const name = r.chance(0.85) ? r.pick(FIELDS) : this.value();
      object[name] = this.jsonMember(name, depth);
    }
    return object;
  }

  form(): string {
    const r = this.r;
    const parts: string[] = [];
    const n = r.int(7);
    for (let k = 0; k < n; k++) {
      const name = r.pick(FIELDS);
      parts.push(`${name}=${this.urlValue(name)}`);
      if (r.chance(0.3)) parts.push(`${name}=${this.urlValue(name)}`);
    }
    return parts.join('&');
  }

  /** A body, its content type (undefined: none sent), and whether Content-Length lies. */
  body(): { type: string | undefined; body: Buffer } {
    const r = this.r;
    const kind = r.int(12);
    const json = 'application/json';
    const form = 'application/x-www-form-urlencoded';
    switch (kind) {
      case 0:
        return { type: undefined, body: Buffer.alloc(0) };
      case 1:
      case 2:
        return {
          type: r.chance(0.8) ? json : r.pick(CONTENT_TYPES),
          body: Buffer.from(JSON.stringify(this.jsonObject())),
        };
      case 3:
      case 4:
        return { type: r.chance(0.8) ? form : r.pick(CONTENT_TYPES), body: Buffer.from(this.form()) };
      case 5:
        return {
          type: json,
          body: Buffer.from(
            r.pick([
              '{',
              '{"a":',
              '[1,]',
              '{"a":1}}',
              'nul',
              '"\\ud800"',
              '{"a":"\\u0000"}',
              '\u0000',
              '{"__proto__":{"x":1}}',
              '{"constructor":{"prototype":{"x":1}}}',
              '1',
              '"x"',
              'null',
              '[]',
              '{"a":1,"a":2}',
            ]),
          ),
        };
      case 6: {
        // Deep nesting: arrays or objects a few hundred thousand levels down would overflow a recursive walker.
        const depth = r.pick([1000, 10_000, 60_000]);
        const [open, close] = r.chance(0.5) ? ['[', ']'] : ['{"a":', '}'];
        return { type: r.chance(0.8) ? json : form, body: Buffer.from(`${open.repeat(depth)}1${close.repeat(depth)}`) };
      }
      case 7:
        return {
          type: r.pick(CONTENT_TYPES),
          body: Buffer.from(
            r.pick([this.form(), JSON.stringify(this.jsonObject()), '\u0000\u0001\u0002', '<?xml version="1.0"?><a/>']),
          ),
        };
      case 8:
        return {
          type: r.pick([json, form]),
          body: Buffer.from([0xff, 0xfe, 0x00, 0x7b, 0xc0, 0x80, 0xed, 0xa0, 0x80]),
        }; // not UTF-8
      case 9:
        return {
          type: form,
          body: Buffer.from(`${r.pick(FIELDS)}=${r.pick(BAD_PERCENT)}&${r.pick(FIELDS)}=%${r.pick(BAD_PERCENT)}`),
        };
      case 10:
        return {
          type: r.pick([json, form]),
          body: Buffer.from(`${r.pick(FIELDS)}=${'x'.repeat(r.pick([70_000, 300_000]))}`),
        };
      default:
        return { type: form, body: Buffer.from(this.form().replace(/=/g, '[]=')) };
    }
  }

  authorization(plane: 'data' | 'control', url: string): string | undefined {
    const r = this.r;
    const { ids } = this;
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    // The credential the route most likely wants first: integration APIs and registration take the API token, OAuth endpoints a client.
    const apiFirst = /\/rest\/|^\/clients/.test(url);
    const good =
      plane === 'control'
        ? [`Bearer ${ids.operatorKey}`]
        : r.chance(0.6)
          ? [apiFirst ? `Bearer ${ids.apiToken}` : basic(ids.clientId, ids.secret)]
          : [
              `Bearer ${ids.apiToken}`,
              basic(ids.clientId, ids.secret),
              basic(encodeURIComponent(ids.clientId), ids.secret),
            ];
    const junk = [
      basic('\u0000', '\u0000'),
      basic(`${ids.clientId}\u0000`, ids.secret),
      basic('a%00b', 'x'),
      basic('%zz', '%'),
      'Basic !!!!',
      'Basic',
      'Bearer',
      `Bearer ${'x'.repeat(5000)}`,
      'Bearer a b',
      'DPoP x',
      `Basic ${Buffer.from('nocolon').toString('base64')}`,
      `Bearer ${ids.apiToken}x`,
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.',
    ];
    const roll = r.int(10);
    if (roll < 3) return undefined;
    if (roll < 7) return r.pick(good);
    return r.pick(junk);
  }

  /** A template's fields with one or two of them broken: a nasty value, gone, repeated, or a nasty extra. */
  mutate<T>(fields: Record<string, T>, nasty: (name: string) => T): Array<[string, T]> {
    const r = this.r;
    const entries = Object.entries(fields);
    for (let k = 1 + r.int(2); k > 0; k--) {
      const i = r.int(entries.length);
      const roll = r.int(4);
      if (roll === 0 && entries.length > 0) entries[i] = [entries[i]![0], nasty(entries[i]![0])];
      else if (roll === 1 && entries.length > 0) entries.splice(i, 1);
      else if (roll === 2 && entries.length > 0) entries.push([entries[i]![0], nasty(entries[i]![0])]);
      else entries.push([r.pick(FIELDS), nasty('')]);
    }
    return entries;
  }

  encodeForm(entries: Array<[string, string]>): string {
    return entries
      .map(([name, value]) => `${percentEncode(name)}=${this.r.chance(0.1) ? value : percentEncode(value)}`)
      .join('&');
  }

  /** A near-valid request from one of the route's templates, or undefined when it has none. */
  templated(target: Target): Buffer | undefined {
    const r = this.r;
    const { ids } = this;
    const templates = TEMPLATES[`${target.route.method} ${target.route.url}`];
    if (target.plane !== 'data' || !templates) return undefined;
    const t = r.pick(templates)(ids);
    const path = r.chance(0.5)
      ? ids.issuerPath + this.pathWithRealParams(target.route)
      : this.pathWithRealParams(target.route);
    const headers = path.startsWith(ids.issuerPath) ? [] : [`Tenant-ID: ${ids.tid}`];
    const basic = `Basic ${Buffer.from(`${ids.clientId}:${ids.secret}`).toString('base64')}`;
    const auth = r.chance(0.9)
      ? { client: basic, api: `Bearer ${ids.apiToken}`, none: undefined }[t.auth]
      : this.authorization('data', target.route.url);
    if (auth !== undefined) headers.push(`Authorization: ${auth}`);
    const query = t.query ? `?${this.encodeForm(this.mutate(t.query, () => this.value()))}` : '';
    let body = '';
    if (t.form) {
      body = this.encodeForm(this.mutate(t.form, () => this.value()));
      headers.push(`Content-Type: ${r.chance(0.9) ? 'application/x-www-form-urlencoded' : r.pick(CONTENT_TYPES)}`);
    } else if (t.json) {
      body = JSON.stringify(
        Object.fromEntries(
          this.mutate(t.json, (name) => (r.chance(0.5) ? this.jsonMember(name, 0) : this.jsonValue(0))),
        ),
      );
      headers.push(`Content-Type: ${r.chance(0.9) ? 'application/json' : r.pick(CONTENT_TYPES)}`);
    }
    const bytes = Buffer.from(body, 'utf8');
    if (bytes.length > 0 || target.route.method !== 'GET') headers.push(`Content-Length: ${bytes.length}`);
    const head = [
      `${target.route.method} ${path}${query} HTTP/1.1`,
      `Host: 127.0.0.1:${target.port}`,
      ...headers,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    return Buffer.concat([Buffer.from(head, 'utf8'), bytes]);
  }

  pathWithRealParams(route: ListedRoute): string {
    const real: Record<string, string> = { client_id: this.ids.clientId, sub: 'alice' };
    return route.url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => real[name] ?? this.urlValue());
  }

  /** The raw request bytes for one case against `target`. */
  request(target: Target): Buffer {
    const r = this.r;
    const { ids } = this;
    if (r.chance(0.5)) {
      const templated = this.templated(target);
      if (templated) return templated;
    }
    let path = this.pathFor(target.route);
    const headers: string[] = [];
    if (target.plane === 'data') {
      const tenancy = r.int(10);
      if (tenancy < 5) headers.push(`Tenant-ID: ${ids.tid}`);
      else if (tenancy < 8) path = ids.issuerPath + path;
      else if (tenancy === 8)
        headers.push(`Tenant-ID: ${r.pick(['', 'x', `${ids.tid},${ids.tid}`, 'A'.repeat(300), '%00'])}`);
      else
        headers.push(
          `Issuer: ${r.pick(['', 'http://', `http://127.0.0.1:${target.port}${ids.issuerPath}/`, '\u00e9'])}`,
        );
    }
    if (r.chance(0.1)) path = path.replace(/\/[^/]*$/, (seg) => `${seg}${r.pick(BAD_PERCENT)}`);
    const target_ = path + this.query();
    const authorization = this.authorization(target.plane, target.route.url);
    if (authorization !== undefined) headers.push(`Authorization: ${authorization}`);
    const { type, body } =
      ['GET', 'HEAD'].includes(target.route.method) && r.chance(0.7)
        ? { type: undefined, body: Buffer.alloc(0) }
        : this.body();
    if (type !== undefined) headers.push(`Content-Type: ${type}`);
    let length = body.length;
    if (r.chance(0.05)) length = Math.max(0, length - 3); // a lying, short Content-Length: the rest reads as a second request
    if (body.length > 0 || r.chance(0.5)) headers.push(`Content-Length: ${length}`);
    const extras = [
      () => `Host: 127.0.0.1:${target.port}`, // a second Host
      () => `X-Forwarded-Host: ${this.value()}`,
      () => `X-Forwarded-Proto: ${r.pick(['https', 'gopher', 'https, http', ''])}`,
      () => `X-Forwarded-For: ${r.pick(['1.2.3.4', 'x', '::1, 10.0.0.1'])}`,
      () => `Cookie: ${r.pick(['a=b', '=', ';;;', 'tessera_login_x=%00', `${'c'.repeat(100)}=${'v'.repeat(3000)}`])}`,
      () => `SID: ${r.pick(['x', '\u00e9', 'a'.repeat(300)])}`,
      () => `Accept: ${r.pick(['*/*', 'application/jwt', 'text/html', 'application/json;q=0', ''])}`,
      () => `Content-Type: ${r.pick(CONTENT_TYPES)}`, // a second Content-Type
      () => `Authorization: Bearer ${ids.apiToken}`, // a second Authorization
      () => `X-Junk: a${r.pick(['\u0000', '\u0001', '\u007f', '\u00ff'])}b`, // control octets node's parser must refuse
      () => `Transfer-Encoding: ${r.pick(['chunked', 'gzip, chunked', 'chunked, gzip', 'gzip'])}`,
      () => `Content-Encoding: ${r.pick(['gzip', 'br', 'x'])}`,
      () => `Expect: 100-continue`,
    ];
    const n = r.int(3);
    for (let k = 0; k < n; k++) headers.push(r.pick(extras)());
    const head = [
      `${target.route.method} ${target_} HTTP/1.1`,
      `Host: 127.0.0.1:${target.port}`,
      ...headers,
      'Connection: close',
      '',
      '',
    ].join('\r\n');
    // A chunked request is sent whole (with its last chunk): an unfinished one would only wait for the request deadline.
    const chunked =
      headers.some((h) => h.startsWith('Transfer-Encoding:')) && !headers.some((h) => h.startsWith('Content-Length:'));
    const framed = chunked
      ? Buffer.concat([
          Buffer.from(body.length > 0 ? `${body.length.toString(16)}\r\n` : ''),
          body,
          Buffer.from(body.length > 0 ? '\r\n0\r\n\r\n' : '0\r\n\r\n'),
        ])
      : body;
    return Buffer.concat([Buffer.from(head, 'latin1'), framed]);
  }
}

const STACK = /\n\s+at \S|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/src\//;

describe('fuzzing every route of both planes', () => {
  let planes: InProcessPlanes;
  let ids: Identities;
  let controlPort: number;
  const seed = fuzzSeed();

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    const tid = uniqueTid('fuzz');
    const issuerPath = `/${tid}`;
    const { apiToken } = await planes.createTenant({
      tid,
      name: tid,
      issuer: `${planes.dataPlaneUrl}${issuerPath}`,
      config: {
        grants: {
          grantTypes: ['authorization_code', 'client_credentials', 'refresh_token', 'password'],
          responseTypes: ['code'],
        },
      },
    });
    const { clientId, secret } = await addClient(planes.s, tid, {
      grant_types: ['client_credentials', 'authorization_code', 'refresh_token', 'password'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid read offline_access',
    });
    // A user to sign in as, so password and login cases get as far as the directory.
    await new PostgresUserDirectory(planes.s.db).create(tid, {
      username: 'alice',
      sub: 'alice',
      password: 'alice-password',
    });
    ids = { tid, issuerPath, apiToken, operatorKey: planes.s.operatorKey, clientId, secret: secret! };
    const controlUrl = await planes.cp.listen({ host: '127.0.0.1', port: 0 });
    controlPort = Number(new URL(controlUrl).port);
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
  });

  it('answers malformed input to every route with a 4xx (or a success), never a 5xx or a stack trace', async () => {
    console.log(`fuzz seed: ${seed} (FUZZ_SEED=${seed} replays this run)`);
    const dataPort = Number(new URL(planes.dataPlaneUrl).port);
    const targets: Target[] = [
      ...listRoutes(planes.dp.app).map((route) => ({ plane: 'data' as const, port: dataPort, route })),
      // The control plane's cases come after (an operator request could suspend the tenant the data plane's need).
      ...listRoutes(planes.cp).map((route) => ({ plane: 'control' as const, port: controlPort, route })),
    ];
    expect(targets.filter((t) => t.plane === 'data').map((t) => t.route.url)).toContain('/token');
    expect(targets.filter((t) => t.plane === 'control').map((t) => t.route.url)).toContain('/tenants/rest/v1');
    const maker = new CaseMaker(new SeededRandom(seed), ids);
    const cases: Array<{ n: number; target: Target; request: Buffer }> = [];
    for (const target of targets) {
      for (let k = 0; k < CASES_PER_ROUTE; k++) cases.push({ n: cases.length, target, request: maker.request(target) });
    }
    const rank = (c: (typeof cases)[number]) =>
      (c.target.plane === 'data' ? 0 : 2) + (c.target.route.method === 'DELETE' ? 1 : 0);
    const safe = cases
      // Never the fuzzed tenant itself with DELETE: the other cases need it.
      .filter(
        (c) =>
          !(c.target.plane === 'control' && c.target.route.method === 'DELETE' && c.request.includes(`/${ids.tid}`)),
      )
      // Deletions last on each plane (a case may delete the client or user the others use).
      .sort((a, b) => rank(a) - rank(b) || a.n - b.n);
    const failures: string[] = [];
    const statuses = new Map<number, number>();
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < safe.length) {
        const c = safe[next++]!;
        const answer: RawAnswer = await rawExchange(c.target.port, c.request);
        statuses.set(answer.status, (statuses.get(answer.status) ?? 0) + 1);
        if (answer.timedOut || answer.statuses.some((s) => s >= 500) || STACK.test(answer.text)) {
          failures.push(
            `case ${c.n} (${c.target.plane} ${c.target.route.method} ${c.target.route.url}): ${JSON.stringify(c.request.subarray(0, 600).toString('latin1'))}\n  → ${answer.timedOut ? '(no end of answer in time) ' : ''}${JSON.stringify(answer.text.slice(0, 400))}`,
          );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    console.log(
      `fuzz: ${safe.length} requests to ${targets.length} routes in ${Date.now() - started} ms; statuses ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
    expect(failures, `seed ${seed}:\n${failures.slice(0, 15).join('\n')}`).toEqual([]);
  }, 120_000);
});
