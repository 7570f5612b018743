import { createHash } from 'node:crypto';
import type { EventJobs } from '@tessera/control-plane/events/event-jobs';
import { BACKCHANNEL_LOGOUT_QUEUE } from '@tessera/data-plane/logout/backchannel-jobs';
import type { BackchannelLogoutJob } from '@tessera/data-plane/ports/backchannel-logout-queue';
import { ClientStore } from '@tessera/shared/clients/client-store';
import { createRedis } from '@tessera/shared/redis';
import { loadSettings } from '@tessera/shared/settings';
import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import { Queue } from 'bullmq';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { completeFlow } from './support/authz-session.ts';
import { addClient } from './support/clients.ts';
import { eventually, uniqueTid } from './support/env.ts';
import { startTestEventJobs } from './support/event-jobs.ts';
import { type EventReceiver, startEventReceiver } from './support/event-receiver.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

/**
 * Back-Channel Logout 1.0 end to end: a subject session ended through the
 * session store API or by deleting its user → a BullMQ notice → a logout
 * token POSTed to a real HTTPS receiver on loopback, verified against the
 * tenant's published JWK set. Short retries (docs/logout.md:
 * TESSERA_LOGOUT_ATTEMPTS / TESSERA_LOGOUT_BACKOFF_MS): 20 ms doubling, 14 of
 * them, some 5 min in all: far longer than the outage below.
 */
const LOGOUT = { attempts: 14, backoffMs: 20, timeoutMs: 2000 };
const REDIRECT = 'https://rp.example/cb';
const CHALLENGE = 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM';
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('back-channel logout', () => {
  let planes: InProcessPlanes;
  let receiver: EventReceiver;
  let relay: EventJobs;
  let queue: Queue<BackchannelLogoutJob>;
  let tid: string;
  let issuer: string;
  let apiToken: string;
  /** Clients of the tenant: with a logout URI (path /bc/<name> on the receiver), and one without. */
  const clients: Record<string, string> = {};

  const logoutClient = async (tenant: string, name: string, extra: Record<string, unknown> = {}) =>
    (
      await addClient(planes.s, tenant, {
        grant_types: ['authorization_code'],
        response_types: ['code'],
        redirect_uris: [REDIRECT],
        scope: 'openid',
        ...(name === 'plain' ? {} : { backchannel_logout_uri: `${receiver.url}/bc/${tenant}/${name}` }),
        ...extra,
      } as never)
    ).clientId;

  /** Sign `sub` in at `clientId` (the authorisation session API); with `subSid`, into that session. */
  const signIn = async (clientId: string, sub: string, subSid?: string, extra: Record<string, string> = {}) => {
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'openid',
      code_challenge: CHALLENGE,
      code_challenge_method: 'S256',
      ...extra,
    }).toString();
    const { final } = await completeFlow(issuer, apiToken, query, { sub, ...(subSid ? { subSid } : {}) });
    expect(final.type).toBe('response');
    return final.sub_sid ?? subSid!;
  };

  const endSession = async (query: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`${issuer}/session-store/rest/v2/sessions${query}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${apiToken}`, ...headers },
    });
    expect(res.status).toBe(200);
    return res.json();
  };

  /** The logout tokens a path received with a 2xx answer. */
  const delivered = (path: string) =>
    receiver.calls
      .filter((c) => c.path === path && c.status === 200)
      .map((c) => {
        expect(c.headers['content-type']).toBe('application/x-www-form-urlencoded');
        return new URLSearchParams(c.body).get('logout_token')!;
      });

  const jwks = () => createRemoteJWKSet(new URL(`${issuer}/jwks.json`));

  /** Verify a logout token as a relying party must (Back-Channel Logout 1.0 §2.6). */
  const verifyLogoutToken = async (token: string, audience: string) => {
    const { payload, protectedHeader } = await jwtVerify(token, jwks(), { issuer, audience, typ: 'logout+jwt' });
    expect(protectedHeader.typ).toBe('logout+jwt');
    expect(payload).not.toHaveProperty('nonce');
    expect(payload.events).toEqual({ 'http://schemas.openid.net/event/backchannel-logout': {} });
    expect(payload.exp! - payload.iat!).toBe(300);
    expect(typeof payload.jti).toBe('string');
    return payload;
  };

  /** This tenant's notices in the queue (any state), as BullMQ holds them. */
  const notices = async () =>
    (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter((j) => j?.data.tid === tid);

  beforeAll(async () => {
    // A Redis space of its own (under the run's prefix): the data planes other test files start, in this process
    // or as children, run back-channel workers too and would take this file's notices off the shared queue.
    planes = await startInProcessPlanes({
      settings: { backchannelLogout: LOGOUT, redisPrefix: `${loadSettings().redisPrefix}bcl-${process.pid}:` },
    });
    receiver = await startEventReceiver();
    tid = uniqueTid('bcl');
    issuer = `${planes.dataPlaneUrl}/${tid}`;
    ({ apiToken } = await planes.createTenant({ tid, name: tid, issuer }));
    for (const name of ['rp', 'plain', 'down', 'gone', 'again', 'deleted'] as const)
      clients[name] = await logoutClient(tid, name);
    // A client that wants ID tokens (and so logout tokens) signed ES256.
    clients.es = await logoutClient(tid, 'es', { id_token_signed_response_alg: 'ES256' });
    // The session events reach the audit log through the relay (one of ours; another test's would do as well).
    relay = await startTestEventJobs(planes, { consumer: `bcl-test-${process.pid}` });
    queue = new Queue<BackchannelLogoutJob>(BACKCHANNEL_LOGOUT_QUEUE, {
      connection: createRedis(planes.s.settings.redisUrl, '', { bullmq: true }),
      prefix: `${planes.s.settings.redisPrefix}bull`,
    });
  }, 120_000);

  afterAll(async () => {
    await queue?.close();
    await relay?.close();
    await receiver?.close();
    await planes?.close();
  });

  it('advertises back-channel logout with sid in discovery', async () => {
    const metadata = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<
      string,
      unknown
    >;
    expect(metadata).toMatchObject({ backchannel_logout_supported: true, backchannel_logout_session_supported: true });
  });

  it('POSTs each client of a session ended through the session store API a logout token that verifies against the JWKS', async () => {
    const sid = await signIn(clients.rp!, 'alice');
    await signIn(clients.plain!, 'alice', sid);
    await signIn(clients.es!, 'alice', sid);
    const ended = (await endSession('', { sid })) as { sub: string; rps: string[] };
    expect(ended.rps).toEqual([clients.rp, clients.plain, clients.es]);

    const [rpToken] = await eventually(
      () => delivered(`/bc/${tid}/rp`),
      (t) => t.length > 0,
    );
    const claims = await verifyLogoutToken(rpToken!, clients.rp!);
    expect(claims).toMatchObject({ iss: issuer, aud: clients.rp, sub: 'alice', sid: sha256(sid) });
    expect(decodeProtectedHeader(rpToken!).alg).toBe('RS256'); // the tenant's ID token default

    const [esToken] = await eventually(
      () => delivered(`/bc/${tid}/es`),
      (t) => t.length > 0,
    );
    expect(decodeProtectedHeader(esToken!).alg).toBe('ES256');
    expect((await verifyLogoutToken(esToken!, clients.es!)).jti).not.toBe(claims.jti);

    // The client without a backchannel_logout_uri was never queued a notice.
    const queued = (await notices()).filter((j) => j.data.sidHash === sha256(sid)).map((j) => j.data.clientId);
    expect(queued.sort()).toEqual([clients.rp, clients.es].sort());
    expect(queued).not.toContain(clients.plain);

    // The end and each delivery are audited (never the token).
    const audited = await eventually(
      () =>
        planes.s.db
          .selectFrom('audit_log')
          .select(['action', 'details'])
          .where('tid', '=', tid)
          .where('action', 'in', ['session.ended', 'logout.delivered'])
          .execute(),
      (rows) => rows.filter((r) => r.details.sid === sha256(sid)).length >= 3,
      15_000,
    );
    const mine = audited.filter((r) => r.details.sid === sha256(sid));
    expect(mine.find((r) => r.action === 'session.ended')?.details).toMatchObject({
      cause: 'session_store_api',
      sub: 'alice',
      notified: expect.arrayContaining([clients.rp, clients.es]),
    });
    expect(mine.filter((r) => r.action === 'logout.delivered').map((r) => r.details.client_id)).toEqual(
      expect.arrayContaining([clients.rp, clients.es]),
    );
    expect(JSON.stringify(mine)).not.toContain(rpToken!);
  });

  it('retries while the receiver is down or failing and delivers once it is back', async () => {
    const path = `/bc/${tid}/down`;
    const sid = await signIn(clients.down!, 'carol');
    await receiver.down();
    try {
      await endSession('', { sid });
      // Refused connections: BullMQ retries with backoff.
      await eventually(
        async () => (await notices()).find((j) => j.data.sidHash === sha256(sid))?.attemptsMade ?? 0,
        (attempts) => attempts >= 2,
        10_000,
      );
    } finally {
      receiver.answer[path] = 503;
      await receiver.up();
    }
    // Listening again, but answering 503: still retried.
    await eventually(
      () => receiver.calls.filter((c) => c.path === path && c.status === 503).length,
      (n) => n >= 1,
      10_000,
    );
    receiver.answer[path] = 200;
    const [token] = await eventually(
      () => delivered(path),
      (t) => t.length > 0,
      15_000,
    );
    expect(await verifyLogoutToken(token!, clients.down!)).toMatchObject({ sub: 'carol', sid: sha256(sid) });
    const job = (await notices()).find((j) => j.data.sidHash === sha256(sid))!;
    expect(job.attemptsMade).toBeGreaterThanOrEqual(3);
    expect(delivered(path)).toHaveLength(1);
  });

  it('notifies for every session of a subject ended at once, and when the user is deleted', async () => {
    const path = `/bc/${tid}/gone`;
    const one = await signIn(clients.gone!, 'bob');
    const two = await signIn(clients.gone!, 'bob');
    expect(await endSession('?subject=bob')).toEqual({ ended: 2 });
    const tokens = await eventually(
      () => delivered(path),
      (t) => t.length >= 2,
    );
    const sids = await Promise.all(tokens.map(async (t) => (await verifyLogoutToken(t, clients.gone!)).sid));
    expect(sids.sort()).toEqual([sha256(one), sha256(two)].sort());

    // A user of the directory, signed in, then deleted through the directory API.
    const created = await fetch(`${issuer}/directory/rest/v1/users`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'dora', sub: 'dora', password: 'explorer-42' }),
    });
    expect(created.status).toBe(201);
    const doraSid = await signIn(clients.gone!, 'dora');
    const deleted = await fetch(`${issuer}/directory/rest/v1/users/dora`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${apiToken}` },
    });
    expect(deleted.status).toBe(204);
    const all = await eventually(
      () => delivered(path),
      (t) => t.length >= 3,
    );
    const dora = await Promise.all(all.map((t) => verifyLogoutToken(t, clients.gone!)));
    expect(dora.find((c) => c.sub === 'dora')).toMatchObject({ sid: sha256(doraSid) });
  });

  it('notifies the clients of a session that a new sign-in in the same browser replaced', async () => {
    const path = `/bc/${tid}/again`;
    const first = await signIn(clients.again!, 'fay');
    const second = await signIn(clients.again!, 'fay', first, { prompt: 'login' });
    expect(second).not.toBe(first);
    const [token] = await eventually(
      () => delivered(path),
      (t) => t.length > 0,
    );
    expect(await verifyLogoutToken(token!, clients.again!)).toMatchObject({ sub: 'fay', sid: sha256(first) });
  });

  it('gives up, without a delivery, a notice whose client was deleted before it could be delivered', async () => {
    const path = `/bc/${tid}/deleted`;
    const sid = await signIn(clients.deleted!, 'gil');
    receiver.answer[path] = 503;
    await endSession('', { sid });
    await eventually(
      () => receiver.calls.filter((c) => c.path === path).length,
      (n) => n >= 1,
      10_000,
    );
    expect(await new ClientStore(planes.s.db, planes.s.masterKey).delete(tid, clients.deleted!)).toBe(true);
    await publishTenantChange(planes.s.redis, planes.s.settings.redisPrefix, {
      tid,
      kind: 'client',
      clientId: clients.deleted!,
    });
    // Still failing: had the worker not seen the client go, the reason would be `answered 503`, after all the attempts.
    const failed = await eventually(
      () =>
        planes.s.db
          .selectFrom('audit_log')
          .select('details')
          .where('tid', '=', tid)
          .where('action', '=', 'logout.failed')
          .execute(),
      (rows) => rows.some((r) => r.details.sid === sha256(sid)),
      15_000,
    );
    expect(failed.find((r) => r.details.sid === sha256(sid))?.details).toMatchObject({
      client_id: clients.deleted,
      reason: 'the client is gone',
    });
    expect(delivered(path)).toEqual([]);
  });

  it('never notifies a client of another tenant, even one of the same client id', async () => {
    const otherTid = uniqueTid('bcl-other');
    await planes.createTenant({ tid: otherTid, name: otherTid, issuer: `${planes.dataPlaneUrl}/${otherTid}` });
    const shared = `shared-${otherTid}`;
    for (const t of [tid, otherTid])
      await addClient(
        planes.s,
        t,
        {
          grant_types: ['authorization_code'],
          response_types: ['code'],
          redirect_uris: [REDIRECT],
          scope: 'openid',
          backchannel_logout_uri: `${receiver.url}/bc/${t}/shared`,
        } as never,
        { clientId: shared },
      );
    const sid = await signIn(shared, 'erin');
    await endSession('', { sid });
    const [token] = await eventually(
      () => delivered(`/bc/${tid}/shared`),
      (t) => t.length > 0,
    );
    expect(await verifyLogoutToken(token!, shared)).toMatchObject({ iss: issuer, sid: sha256(sid) });
    // Tenant A's notice was delivered; nothing was queued or sent for tenant B's client.
    const others = (await queue.getJobs(['waiting', 'delayed', 'active', 'completed', 'failed'])).filter(
      (j) => j?.data.tid === otherTid,
    );
    expect(others).toEqual([]);
    expect(receiver.calls.filter((c) => c.path === `/bc/${otherTid}/shared`)).toEqual([]);
  });
});
