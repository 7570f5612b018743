import { createServer, type Server, type Socket } from 'node:net';
import { LdapDirectory, type LdapSourceConfig } from '@tessera/data-plane/directory/ldap-directory';
import { HttpError } from '@tessera/shared/http/errors';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import { basicAuth } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type LdapUser, type RunningSlapd, startSlapd } from './support/slapd.ts';

// An LDAP directory (Debian's slapd, started and seeded here) as claims source and password authenticator.

const USERS: LdapUser[] = [
  {
    uid: 'alice',
    password: 'wonderland-42',
    attributes: {
      cn: 'Alice Liddell',
      givenName: 'Alice',
      sn: 'Liddell',
      mail: ['alice@example.test', 'a.liddell@example.test'],
      employeeNumber: 'E-1001',
      departmentNumber: ['tea', 'croquet'],
      preferredLanguage: 'en-GB',
    },
  },
  { uid: 'bob', password: 'builder-1234', attributes: { cn: 'Bob Builder', employeeNumber: 'E-1002' } },
  // Two entries with one mail: a name that finds both is nobody's.
  { uid: 'twin1', password: 'twin-pass-1', attributes: { mail: 'twins@example.test', employeeNumber: 'E-2001' } },
  { uid: 'twin2', password: 'twin-pass-2', attributes: { mail: 'twins@example.test', employeeNumber: 'E-2002' } },
];

/** The tenant's claim mapping (claim → attribute); departments is a custom claim of every value. */
const CLAIMS = {
  name: 'cn',
  given_name: 'givenName',
  family_name: 'sn',
  email: 'mail',
  locale: 'preferredLanguage',
  departments: 'departmentNumber',
};

const time = async (f: () => Promise<unknown>) => {
  const t0 = performance.now();
  await f();
  return performance.now() - t0;
};

/** What a call failed with: the 503 of a fail-closed slot (public description, private detail). */
async function failure(call: Promise<unknown>): Promise<HttpError> {
  const err = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HttpError);
  return err as HttpError;
}

describe('LdapDirectory against a real slapd', () => {
  let slapd: RunningSlapd;
  const secrets = new Map<string, string>();
  const tenantSecrets = { get: async (tid: string, name: string) => secrets.get(`${tid}/${name}`) ?? null };
  const directory = new LdapDirectory({ outbound: outboundPolicy({ allowPrivate: true }), tenantSecrets });
  let config: LdapSourceConfig;

  beforeAll(async () => {
    slapd = await startSlapd(USERS);
    secrets.set('t1/ldap-reader', slapd.bindPassword);
    config = {
      type: 'ldap',
      url: slapd.url,
      bindDn: slapd.bindDn,
      bindPasswordSecret: 'ldap-reader',
      baseDn: slapd.peopleDn,
      userFilter: '(&(objectClass=inetOrgPerson)(|(uid={username})(mail={username})))',
      subjectAttribute: 'employeeNumber',
      claims: { ...CLAIMS, preferred_username: 'uid' },
      timeoutMs: 2000,
    };
  });
  afterAll(async () => slapd?.stop());

  it('signs a user in by binding as the entry found (by uid or mail), the subject from subjectAttribute', async () => {
    expect(await directory.authenticate('t1', config, 'alice', 'wonderland-42')).toEqual({ sub: 'E-1001' });
    expect(await directory.authenticate('t1', config, 'alice@example.test', 'wonderland-42')).toEqual({
      sub: 'E-1001',
    });
    expect(await directory.authenticate('t1', config, 'bob', 'builder-1234')).toEqual({ sub: 'E-1002' });
  });

  it('refuses a wrong password and an unknown user alike, in the same order of time', async () => {
    expect(await directory.authenticate('t1', config, 'alice', 'wonderland-43')).toBeNull();
    expect(await directory.authenticate('t1', config, 'bob', 'wonderland-42')).toBeNull();
    expect(await directory.authenticate('t1', config, 'nobody', 'wonderland-42')).toBeNull();
    // A name that finds two entries is nobody's, even with one of their passwords.
    expect(await directory.authenticate('t1', config, 'twins@example.test', 'twin-pass-1')).toBeNull();
    // Same round trips for both (an unknown user costs a bind too): medians of tries taken in turns, so
    // a burst of load from other test files lands on both alike.
    const wrongRuns: number[] = [];
    const unknownRuns: number[] = [];
    for (let i = 0; i < 11; i++) {
      wrongRuns.push(await time(() => directory.authenticate('t1', config, 'alice', 'not-her-password')));
      unknownRuns.push(await time(() => directory.authenticate('t1', config, 'nobody', 'not-her-password')));
    }
    const median = (runs: number[]) => runs.sort((a, b) => a - b)[5]!;
    const wrong = median(wrongRuns);
    const unknown = median(unknownRuns);
    expect(unknown).toBeGreaterThan(wrong / 3);
    expect(unknown).toBeLessThan(wrong * 3);
  });

  it('escapes the name typed: filter syntax in it finds nobody', async () => {
    for (const name of ['*)(uid=*', '*', 'ali*', 'alice)(|(uid=*', 'alice\\29', '(uid=alice)'])
      expect(await directory.authenticate('t1', config, name, 'wonderland-42')).toBeNull();
    // Unescaped, `ali*` would have found alice alone and signed in with her password: the same search, raw, does.
    const raw = { ...config, userFilter: '(uid=ali*)' };
    expect(await directory.authenticate('t1', raw, 'ignored', 'wonderland-42')).toEqual({ sub: 'E-1001' });
  });

  it('refuses an empty password, an empty name and a name with control characters before any bind', async () => {
    expect(await directory.authenticate('t1', config, 'alice', '')).toBeNull();
    expect(await directory.authenticate('t1', config, '', 'wonderland-42')).toBeNull();
    expect(await directory.authenticate('t1', config, 'alice\u0000', 'wonderland-42')).toBeNull();
    // Nothing is sent for them: they answer even with the directory unreachable.
    const nowhere = { ...config, url: 'ldap://127.0.0.1:1' };
    expect(await directory.authenticate('t1', nowhere, 'alice', '')).toBeNull();
  });

  it('returns the mapped claims of a subject (standard claims single-valued, custom ones every value)', async () => {
    expect(await directory.claims('t1', config, 'E-1001')).toEqual({
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      email: 'alice@example.test',
      locale: 'en-GB',
      departments: ['tea', 'croquet'],
      preferred_username: 'alice',
    });
    expect(await directory.claims('t1', config, 'E-1002')).toEqual({
      name: 'Bob Builder',
      family_name: 'bob',
      preferred_username: 'bob',
    });
    expect(await directory.claims('t1', config, 'E-9999')).toBeNull();
    expect(await directory.claims('t1', config, '*')).toBeNull();
  });

  it('fails closed with a 503 when the service account is refused or its secret is not set', async () => {
    secrets.set('t2/ldap-reader', 'not-the-password');
    const refused = await failure(directory.authenticate('t2', config, 'alice', 'wonderland-42'));
    expect(refused).toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    expect(refused.message).toBe("The tenant's password grant handler is unavailable");
    expect(refused.detail).toMatch(/InvalidCredentials|0x31/);
    expect(refused.detail).not.toContain('not-the-password');
    const unset = await failure(directory.claims('t3', config, 'E-1001'));
    expect(unset).toMatchObject({ statusCode: 503, message: "The tenant's claims source is unavailable" });
    expect(unset.detail).toContain('the tenant secret ldap-reader is not set');
    // A baseDn the directory does not have is the tenant's misconfiguration, not "no such user".
    const wrongBase = await failure(
      directory.authenticate('t1', { ...config, baseDn: 'ou=nowhere,dc=example,dc=test' }, 'alice', 'x'),
    );
    expect(wrongBase.statusCode).toBe(503);
  });

  it('answers a 503 within timeoutMs when the directory takes connections but never answers', async () => {
    const sockets: Socket[] = [];
    const silent: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    try {
      const slow = { ...config, url: `ldap://127.0.0.1:${port}`, timeoutMs: 300 };
      const started = performance.now();
      const err = await failure(directory.authenticate('t1', slow, 'alice', 'wonderland-42'));
      const took = performance.now() - started;
      expect(err).toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
      expect(took).toBeGreaterThanOrEqual(250);
      expect(took).toBeLessThan(1500);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });

  it('connects to a private address only where the deployment allows private addresses', async () => {
    const strict = new LdapDirectory({ outbound: outboundPolicy({ allowPrivate: false }), tenantSecrets });
    const err = await failure(strict.authenticate('t1', config, 'alice', 'wonderland-42'));
    expect(err.statusCode).toBe(503);
    expect(err.detail).toContain('127.0.0.1 is not a public address');
    const named = await failure(strict.claims('t1', { ...config, url: `ldap://localhost:${slapd.port}` }, 'E-1001'));
    expect(named.detail).toContain('resolves to no public address');
  });

  it('fails closed while slapd is down and serves again once it is back', async () => {
    await slapd.kill();
    const down = await failure(directory.authenticate('t1', config, 'alice', 'wonderland-42'));
    expect(down).toMatchObject({ statusCode: 503, code: 'temporarily_unavailable' });
    expect(down.headers['retry-after']).toBe('5');
    expect(down.detail).toContain('ECONNREFUSED');
    expect((await failure(directory.claims('t1', config, 'E-1001'))).statusCode).toBe(503);
    await slapd.start();
    expect(await directory.authenticate('t1', config, 'alice', 'wonderland-42')).toEqual({ sub: 'E-1001' });
  });
});

const REDIRECT = 'https://app.example.test/cb';

describe('a tenant whose password grant and claims source are its LDAP directory', () => {
  let slapd: RunningSlapd;
  let planes: InProcessPlanes;
  let tid: string;
  let other: string;
  let client: { clientId: string; secret: string };

  const token = (tenant: string, username: string, password: string, scope = 'openid profile email') =>
    planes.dp.app.inject({
      method: 'POST',
      url: '/token',
      headers: {
        'tenant-id': tenant,
        'content-type': 'application/x-www-form-urlencoded',
        authorization: basicAuth(client.clientId, client.secret),
      },
      payload: new URLSearchParams({ grant_type: 'password', username, password, scope }).toString(),
    });
  const userinfo = (accessToken: string) =>
    planes.dp.app.inject({
      method: 'GET',
      url: '/userinfo',
      headers: { 'tenant-id': tid, authorization: `Bearer ${accessToken}` },
    });

  /** The hosted sign-in page, then consent, then the code at the token endpoint: what a browser and its client do. */
  const hostedSignInAs = (username: string, password: string) =>
    hostedSignIn(planes.dp.app, {
      tid,
      client,
      redirectUri: REDIRECT,
      scope: 'openid profile email',
      username,
      password,
      params: {
        nonce: 'n-1',
        // The claims in the ID token itself, not only at UserInfo (OpenID Connect Core §5.5).
        claims: JSON.stringify({ id_token: { name: null, email: null, locale: null, departments: null } }),
      },
    });

  beforeAll(async () => {
    slapd = await startSlapd(USERS);
    planes = await startInProcessPlanes();
    const ldap = {
      type: 'ldap',
      url: slapd.url,
      bindDn: slapd.bindDn,
      bindPasswordSecret: 'ldap-reader',
      baseDn: slapd.peopleDn,
      subjectAttribute: 'employeeNumber',
    };
    tid = uniqueTid('ldap');
    other = uniqueTid('ldap-b');
    for (const t of [tid, other])
      await planes.createTenant({
        tid: t,
        name: t,
        issuer: `https://${t}.example.com`,
        plan: 'enterprise',
        config: {
          grants: { grantTypes: ['authorization_code', 'password'], responseTypes: ['code'] },
          // Tenant B: the defaults (the built-in directory), on the same node.
          ...(t === tid
            ? {
                plugins: {
                  passwordGrant: { ...ldap, userFilter: '(|(uid={username})(mail={username}))' },
                  claimsSource: {
                    ...ldap,
                    claims: CLAIMS,
                  },
                },
              }
            : {}),
        },
      });
    // The service account's password: a tenant secret, set through the control plane.
    const set = await planes.cp.inject({
      method: 'PUT',
      url: `/tenants/rest/v1/${tid}/secrets/ldap-reader`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}`, 'content-type': 'application/json' },
      payload: { value: slapd.bindPassword },
    });
    expect(set.statusCode).toBeLessThan(300);
    const metadata = {
      grant_types: ['password', 'authorization_code'],
      response_types: ['code'],
      redirect_uris: [REDIRECT],
      scope: 'openid profile email',
    };
    const added = await addClient(planes.s, tid, metadata);
    client = { clientId: added.clientId, secret: added.secret! };
    await addClient(planes.s, other, metadata, { clientId: client.clientId, secret: client.secret });
  }, 60_000);
  afterAll(async () => {
    await planes?.close();
    await slapd?.stop();
  });

  it('signs a user in through the token endpoint; UserInfo and the ID token carry the mapped claims', async () => {
    const res = await token(tid, 'alice@example.test', 'wonderland-42');
    expect(res.statusCode).toBe(200);
    const body = res.json() as { access_token: string; id_token?: string };
    const info = await userinfo(body.access_token);
    expect(info.statusCode).toBe(200);
    expect(info.json()).toEqual({
      sub: 'E-1001',
      name: 'Alice Liddell',
      given_name: 'Alice',
      family_name: 'Liddell',
      locale: 'en-GB',
      email: 'alice@example.test',
    });
  });

  it('signs a user in at the hosted sign-in page; the ID token carries the mapped claims', async () => {
    const { tokens } = await hostedSignInAs('alice', 'wonderland-42');
    expect(tokens?.statusCode).toBe(200);
    const idToken = decodeJwt((tokens!.json() as { id_token: string }).id_token);
    expect(idToken).toMatchObject({
      sub: 'E-1001',
      nonce: 'n-1',
      name: 'Alice Liddell',
      email: 'alice@example.test',
      locale: 'en-GB',
      // A custom claim: released because the request's claims parameter names it.
      departments: ['tea', 'croquet'],
    });
    // A wrong password at the page: the form again with the page's error, no session moved on.
    const wrong = await hostedSignInAs('alice', 'not-her-password');
    expect(wrong.tokens).toBeUndefined();
    expect(wrong.signIn.statusCode).toBe(401);
  });

  it('refuses a wrong password, an unknown user and a filter-injection name alike', async () => {
    for (const [username, password] of [
      ['alice', 'not-her-password'],
      ['nobody', 'wonderland-42'],
      ['*)(uid=*', 'wonderland-42'],
      ['ali*', 'wonderland-42'],
    ] as const) {
      const res = await token(tid, username, password);
      expect(res.statusCode).toBe(400);
      expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid resource owner credentials' });
    }
  });

  it('leaves a tenant with the defaults on its built-in directory (alice is not its user)', async () => {
    const res = await token(other, 'alice', 'wonderland-42');
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers 503 temporarily_unavailable while the directory is down, and signs in again once it is back', async () => {
    await slapd.kill();
    try {
      const res = await token(tid, 'alice', 'wonderland-42');
      expect(res.statusCode).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.json()).toEqual({
        error: 'temporarily_unavailable',
        error_description: "The tenant's password grant handler is unavailable",
      });
    } finally {
      await slapd.start();
    }
    expect((await token(tid, 'bob', 'builder-1234', 'openid')).statusCode).toBe(200);
  });
});
