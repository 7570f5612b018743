import type { EventJobs } from '@tessera/control-plane/events/event-jobs';
import { deadLetterKey } from '@tessera/control-plane/events/events-queue';
import { deliveryId } from '@tessera/shared/events/event-destinations';
import { EVENT_STREAM, EVENT_STREAM_GROUP } from '@tessera/shared/events/event-stream';
import type { TesseraEvent } from '@tessera/shared/events/event-types';
import { rotateKeys } from '@tessera/shared/keys/key-rotation';
import { verifySignature } from '@tessera/shared/plugins/signature';
import { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import { loadSettings } from '@tessera/shared/settings';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { startTestEventJobs } from './support/event-jobs.ts';
import { type EventReceiver, startEventReceiver } from './support/event-receiver.ts';
import { hostedSignIn } from './support/hosted-sign-in.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type RunningProcess, startPlane } from './support/processes.ts';

/**
 * Short retries for the test (docs/events.md: TESSERA_EVENT_ATTEMPTS and TESSERA_EVENT_BACKOFF_MS in
 * production): retries 0.25, 0.5, 1, 2 and 4 s apart, some 7.75 s in all: longer than the outage below.
 */
const SETTINGS = { attempts: 6, backoffMs: 250, timeoutMs: 2000 };
const CONSUMER = `relay-test-${process.pid}`;
/**
 * A Redis prefix of its own: the event stream this file reads and the
 * relay's consumer group would otherwise be shared with every Temporal worker
 * process other files start (each runs the relay), and one of those, killed
 * on purpose, leaves what it took pending.
 */
const PREFIX = `${loadSettings().redisPrefix}events-${process.pid}:`;

describe('events: outbox → relay → BullMQ → a real HTTPS receiver', () => {
  let planes: InProcessPlanes;
  let receiver: EventReceiver;
  let jobs: EventJobs | undefined;
  let nodes: RunningProcess[] = [];
  let tid: string;
  let secret: string;
  let client: { clientId: string; secret: string | null };
  let apiToken: string;

  const startJobs = async () => {
    jobs = await startTestEventJobs(planes, { settings: SETTINGS, consumer: CONSUMER });
    return jobs;
  };

  /** A client_credentials token from `base` (a data-plane URL; the tenant by header). */
  const token = async (base: string) => {
    const res = await fetch(`${base}/token`, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'tenant-id': tid,
        authorization: `Basic ${Buffer.from(`${client.clientId}:${client.secret}`).toString('base64')}`,
      },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: 'read' }).toString(),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { access_token: string }).access_token;
  };

  const bodies = (path: string) =>
    receiver.calls.filter((c) => c.path === path && c.status === 200).map((c) => JSON.parse(c.body) as TesseraEvent);
  const deliveredJtis = (path: string) =>
    new Set(bodies(path).map((e) => (e.data.access as { jti?: string } | undefined)?.jti));

  /** The ids of the audited token.issued events of these access tokens. */
  const auditedEventIds = async (jtis: readonly unknown[]) =>
    (
      await planes.s.db
        .selectFrom('audit_log')
        .select(['event_id', 'details'])
        .where('tid', '=', tid)
        .where('action', '=', 'token.issued')
        .execute()
    )
      .filter((r) => jtis.includes((r.details.access as { jti: string } | undefined)?.jti ?? ''))
      .map((r) => r.event_id!);

  /** Rotate one ES256 key of tenant `t` now; the new key's kid. */
  const rotate = async (t: string, actor?: string) => {
    const { config } = (await loadTenant(planes.s.db, t))!;
    const created = await rotateKeys(
      planes.s.db,
      planes.s.keyStores.for(config.keys.backend),
      t,
      [{ alg: 'ES256', rsaKeySize: 2048 }],
      0,
      actor,
    );
    return created[0]!.kid;
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({ settings: { redisPrefix: PREFIX } });
    receiver = await startEventReceiver();
    tid = uniqueTid('events');
    ({ apiToken } = await planes.createTenant({
      tid,
      name: 'Events',
      issuer: `${planes.dataPlaneUrl}/${tid}`,
      config: {
        events: { endpoints: [{ url: `${receiver.url}/events`, types: ['token.issued', 'key.rotated'] }] },
        plugins: { tokenIssueEvents: { type: 'webhook', url: `${receiver.url}/slot` } },
      },
    }));
    secret = (await new TenantSecretStore(planes.s.db, planes.s.masterKey).rotateWebhookSecret(tid)).secret;
    client = await addClient(planes.s, tid, {
      grant_types: ['client_credentials'],
      scope: 'read',
      token_endpoint_auth_method: 'client_secret_basic',
    } as never);
    await startJobs();
  }, 120_000);

  afterAll(async () => {
    // A killed node has exited already (its stop would wait for an exit that came).
    await Promise.all(nodes.filter((n) => n.child.signalCode === null).map((n) => n.stop()));
    await jobs?.close();
    await receiver?.close();
    await planes?.close();
  });

  it('delivers token.issued to the endpoint and the slot, as documented, signed with the tenant secret', async () => {
    const accessToken = await token(planes.dataPlaneUrl);
    const jti = decodeJwt(accessToken).jti;
    await expect
      .poll(() => deliveredJtis('/events').has(jti) && deliveredJtis('/slot').has(jti), {
        timeout: 15_000,
      })
      .toBe(true);
    const call = receiver.calls.find((c) => c.path === '/events' && c.body.includes(String(jti)))!;
    const event = JSON.parse(call.body) as TesseraEvent;
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9A-HJKMNP-TV-Z]{26}$/),
      type: 'token.issued',
      tid,
      occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      actor: `client:${client.clientId}`,
      data: {
        grant_type: 'client_credentials',
        client_id: client.clientId,
        sub: client.clientId,
        scope: ['read'],
        issued: ['access_token'],
        access: { jti, format: 'jwt', expires_at: expect.any(String) },
      },
    });
    expect(call.headers['content-type']).toBe('application/json');
    expect(call.headers['tessera-event-id']).toBe(event.id);
    expect(call.headers['tessera-event-type']).toBe('token.issued');
    const now = Math.floor(Date.now() / 1000);
    expect(verifySignature(secret, call.body, call.headers['tessera-signature'] as string, now)).toBe(true);
    expect(verifySignature('whsec_other', call.body, call.headers['tessera-signature'] as string, now)).toBe(false);
    expect(call.body).not.toContain(accessToken);
    // The slot got the same event (same id: one event, two destinations).
    const slotCall = receiver.calls.find((c) => c.path === '/slot' && c.body.includes(String(jti)))!;
    expect(slotCall.body).toBe(call.body);
    // And the audit log has it, once, under its id.
    await expect
      .poll(async () =>
        (await planes.s.db.selectFrom('audit_log').select('action').where('event_id', '=', event.id).execute()).map(
          (r) => r.action,
        ),
      )
      .toEqual(['token.issued']);
    // The audit record keeps the facts (the jti, the scope), and no token.
    const audited = await planes.s.db
      .selectFrom('audit_log')
      .select(['details', 'actor'])
      .where('event_id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(audited).toEqual({ actor: `client:${client.clientId}`, details: event.data });
    expect(JSON.stringify(audited)).not.toContain(accessToken);
  }, 60_000);

  it('a code flow through the hosted login puts subject.authenticated, consent.given and token.issued in the audit log (GET …/audit), with no token or cookie value', async () => {
    const REDIRECT = 'https://app.example.test/cb';
    const app = await addClient(planes.s, tid, {
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code'],
      scope: 'openid',
      token_endpoint_auth_method: 'client_secret_basic',
    } as never);
    const created = await planes.dp.app.inject({
      method: 'POST',
      url: '/directory/rest/v1/users',
      headers: { 'tenant-id': tid, authorization: `Bearer ${apiToken}` },
      payload: { username: 'ellen', password: 'pw-ellen-long-enough' },
    });
    expect(created.statusCode).toBe(201);
    const sub = (created.json() as { sub: string }).sub;

    const { signIn, consented, code, tokens, cookies } = await hostedSignIn(planes.dp.app, {
      tid,
      client: { clientId: app.clientId, secret: app.secret! },
      redirectUri: REDIRECT,
      scope: 'openid',
      username: 'ellen',
      password: 'pw-ellen-long-enough',
    });
    expect(signIn.body).toContain('name="decision"');
    expect(consented?.statusCode).toBe(303);
    expect(tokens?.statusCode).toBe(200);
    const { access_token: accessToken, id_token: idToken } = tokens!.json() as {
      access_token: string;
      id_token: string;
    };

    type Entry = { actor: string; action: string; details: Record<string, unknown>; event_id: string };
    const flow = async () => {
      const res = await planes.cp.inject({
        method: 'GET',
        url: `/tenants/rest/v1/${tid}/audit?limit=100`,
        headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      });
      expect(res.statusCode).toBe(200);
      // Newest first: oldest first here, the flow's order.
      return (res.json() as { records: Entry[] }).records.filter((r) => r.details.client_id === app.clientId).reverse();
    };
    await expect
      .poll(async () => (await flow()).map((r) => r.action), { timeout: 15_000 })
      .toEqual(['subject.authenticated', 'consent.given', 'token.issued']);
    const [authenticated, given, issued] = await flow();
    expect(authenticated).toMatchObject({
      actor: `sub:${sub}`,
      details: { sub, client_id: app.clientId, amr: ['pwd'], sid: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    expect(given).toMatchObject({ actor: `sub:${sub}`, details: { sub, scope: ['openid'], long_lived: false } });
    expect(issued).toMatchObject({
      actor: `client:${app.clientId}`,
      details: {
        grant_type: 'authorization_code',
        sub,
        issued: ['access_token', 'id_token'],
        access: { jti: decodeJwt(accessToken).jti },
      },
    });
    const all = JSON.stringify(await flow());
    // The SSO cookie (tessera_sso_<issuer suffix>): its value is the subject session id, a credential.
    const ssoCookie = Object.entries(cookies).find(([name]) => name.startsWith('tessera_sso'))?.[1];
    expect(ssoCookie).toEqual(expect.any(String));
    for (const value of [accessToken, idToken, code!, ssoCookie!]) expect(all).not.toContain(value);
  }, 60_000);

  it('relays key.rotated from the PostgreSQL outbox, written in the rotation transaction', async () => {
    const kid = await rotate(tid, 'test');
    await expect
      .poll(() => bodies('/events').some((e) => e.type === 'key.rotated' && JSON.stringify(e.data).includes(kid)), {
        timeout: 15_000,
      })
      .toBe(true);
    const event = bodies('/events').find((e) => e.type === 'key.rotated' && JSON.stringify(e.data).includes(kid))!;
    expect(event).toMatchObject({ tid, actor: 'test', data: { mode: 'rotate', new_keys: [{ kid, alg: 'ES256' }] } });
    // The slot listens to token.issued only.
    expect(bodies('/slot').some((e) => e.type === 'key.rotated')).toBe(false);
    const row = await planes.s.db
      .selectFrom('event_outbox')
      .select('relayed_at')
      .where('id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(row.relayed_at).not.toBeNull();
  }, 60_000);

  it('keeps events through a receiver outage and a data plane killed with SIGKILL; retries deliver them all', async () => {
    // Two data-plane processes (started first: a start takes seconds, longer than the outage may last).
    nodes = await Promise.all([
      startPlane('data-plane', { REDIS_PREFIX: PREFIX }),
      startPlane('data-plane', { REDIS_PREFIX: PREFIX }),
    ]);
    const [doomed, survivor] = nodes as [RunningProcess, RunningProcess];
    await receiver.down();
    const jtis: string[] = [];
    for (let i = 0; i < 3; i++) jtis.push(decodeJwt(await token(doomed.url)).jti!);
    // Answered means in the outbox: the node dies at once, with no chance to flush anything.
    doomed.child.kill('SIGKILL');
    await new Promise((resolve) => doomed.child.once('exit', resolve));
    // The relay audited and queued them, and the first attempts failed (connection refused).
    await expect.poll(async () => (await auditedEventIds(jtis)).length, { timeout: 15_000 }).toBe(3);
    const ids = await auditedEventIds(jtis);
    await expect
      .poll(async () => (await jobs!.queue.getJob(deliveryId(ids[0]!, `${receiver.url}/events`)))?.attemptsMade ?? 0, {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(1);

    // The other node issues one more while the receiver is still down.
    jtis.push(decodeJwt(await token(survivor.url)).jti!);
    await receiver.up();
    await expect
      .poll(() => jtis.every((j) => deliveredJtis('/events').has(j) && deliveredJtis('/slot').has(j)), {
        timeout: 20_000,
      })
      .toBe(true);
    // Nothing ended as a dead letter.
    expect(await planes.s.redis.zcard(deadLetterKey(tid))).toBe(0);
    // At least once, with a stable id: any repeat of an event is the same body under the same id.
    for (const path of ['/events', '/slot']) {
      const byId = new Map<string, string>();
      for (const c of receiver.calls.filter((c) => c.path === path && c.status === 200)) {
        const id = c.headers['tessera-event-id'] as string;
        if (byId.has(id)) expect(c.body).toBe(byId.get(id));
        byId.set(id, c.body);
      }
    }
  }, 120_000);

  it('re-reads the entries a relay took but never acknowledged (a crashed worker)', async () => {
    await receiver.up();
    await jobs!.close();
    jobs = undefined;
    const jti = decodeJwt(await token(planes.dataPlaneUrl)).jti;
    // This consumer takes the entry, as a relay would just before dying: pending, unacknowledged.
    const read = (await planes.s.redis.xreadgroup(
      'GROUP',
      EVENT_STREAM_GROUP,
      CONSUMER,
      'COUNT',
      1000,
      'STREAMS',
      EVENT_STREAM,
      '>',
    )) as [string, [string, string[]][]][] | null;
    expect(JSON.stringify(read)).toContain(String(jti));
    await startJobs();
    await expect.poll(() => deliveredJtis('/events').has(jti), { timeout: 15_000 }).toBe(true);
    // Relayed entries leave the stream's pending list.
    await expect
      .poll(async () => ((await planes.s.redis.xpending(EVENT_STREAM, EVENT_STREAM_GROUP)) as [number])[0])
      .toBe(0);
  }, 60_000);

  it('lists a delivery that exhausted its attempts as a dead letter, and re-drives it', async () => {
    await receiver.up();
    const broken = uniqueTid('events-dl');
    await planes.createTenant({
      tid: broken,
      name: 'Dead letters',
      issuer: `${planes.dataPlaneUrl}/${broken}`,
      config: { events: { endpoints: [{ url: `${receiver.url}/broken`, types: ['key.rotated'] }] } },
    });
    await new TenantSecretStore(planes.s.db, planes.s.masterKey).rotateWebhookSecret(broken);
    receiver.answer['/broken'] = 500;
    const kid = await rotate(broken);
    const auth = { authorization: `Bearer ${planes.s.operatorKey}` };
    const list = async (t: string) => {
      const res = await planes.cp.inject({
        method: 'GET',
        url: `/tenants/rest/v1/${t}/events/dead-letters`,
        headers: auth,
      });
      expect(res.statusCode).toBe(200);
      return res.json() as {
        dead_letters: { id: string; type: string; url: string; attempts: number; last_error: string }[];
      };
    };
    await expect.poll(async () => (await list(broken)).dead_letters.length, { timeout: 30_000 }).toBe(1);
    const [dead] = (await list(broken)).dead_letters;
    expect(dead).toMatchObject({
      type: 'key.rotated',
      url: `${receiver.url}/broken`,
      attempts: SETTINGS.attempts,
      last_error: 'answered 500',
    });
    expect(receiver.calls.filter((c) => c.path === '/broken' && c.body.includes(kid))).toHaveLength(SETTINGS.attempts);
    // Another tenant neither sees nor re-drives it.
    expect((await list(tid)).dead_letters.map((d) => d.id)).not.toContain(dead!.id);
    const foreign = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${tid}/events/dead-letters/${dead!.id}/retry`,
      headers: auth,
    });
    expect(foreign.statusCode).toBe(404);
    const malformed = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${broken}/events/dead-letters/nope/retry`,
      headers: auth,
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ error: 'invalid_request' });

    receiver.answer['/broken'] = 200;
    const retried = await planes.cp.inject({
      method: 'POST',
      url: `/tenants/rest/v1/${broken}/events/dead-letters/${dead!.id}/retry`,
      headers: auth,
    });
    expect(retried.statusCode).toBe(202);
    await expect
      .poll(() => receiver.calls.some((c) => c.path === '/broken' && c.status === 200 && c.body.includes(kid)), {
        timeout: 15_000,
      })
      .toBe(true);
    expect((await list(broken)).dead_letters).toEqual([]);
    expect(await planes.s.redis.zcard(deadLetterKey(broken))).toBe(0);
  }, 90_000);
});
