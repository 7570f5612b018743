import { ScheduleNotFoundError } from '@temporalio/client';
import { backfillKeyRotationSchedules } from '@tessera/control-plane/temporal/key-rotation-backfill';
import { keyRotationScheduleId } from '@tessera/control-plane/temporal/key-rotation-schedule';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { uniqueTid } from './support/env.ts';
import { basicAuth, postForm } from './support/issuer-http.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';

const DAY_MS = 86_400_000;
const kidOf = (jwt: string): string => JSON.parse(Buffer.from(jwt.split('.')[0]!, 'base64url').toString('utf8')).kid;

describe('rotateKeys: a Temporal Schedule per tenant', () => {
  let planes: InProcessPlanes;
  const api = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    planes.cp.inject({
      method,
      url,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
      ...(payload !== undefined ? { payload: payload as object } : {}),
    });
  const schedule = (tid: string) => planes.temporal.schedule.getHandle(keyRotationScheduleId(tid));

  beforeAll(async () => {
    planes = await startInProcessPlanes();
  }, 120_000);
  afterAll(async () => planes?.close());

  it('is created with the tenant, follows keys.rotationIntervalDays, and goes with the tenant', async () => {
    const tid = uniqueTid('rot-sched');
    await planes.createTenant({ tid, name: tid, issuer: `https://${tid}.example.com` });
    const created = await schedule(tid).describe();
    expect(created.action).toMatchObject({
      type: 'startWorkflow',
      workflowType: 'rotateKeys',
      taskQueue: `${planes.temporalSettings.taskQueuePrefix}keys`,
    });
    expect(created.spec.intervals?.map((i) => i.every)).toEqual([90 * DAY_MS]);

    const patched = await api('PATCH', `/tenants/rest/v1/${tid}`, { config: { keys: { rotationIntervalDays: 7 } } });
    expect(patched.statusCode).toBe(200);
    expect((await schedule(tid).describe()).spec.intervals?.map((i) => i.every)).toEqual([7 * DAY_MS]);

    expect((await api('DELETE', `/tenants/rest/v1/${tid}`)).statusCode).toBe(202);
    await expect
      .poll(
        async () =>
          schedule(tid)
            .describe()
            .then(
              () => 'exists',
              (err: unknown) => (err instanceof ScheduleNotFoundError ? 'gone' : String(err)),
            ),
        { timeout: 20_000, interval: 200 },
      )
      .toBe('gone');
  });

  it('is given back by the backfill the worker runs at start, to an active tenant that lost it', async () => {
    const tid = uniqueTid('rot-backfill');
    await planes.createTenant({ tid, name: tid, issuer: `https://${tid}.example.com` });
    await schedule(tid).delete();
    const exists = () =>
      schedule(tid)
        .describe()
        .then(
          () => true,
          (err: unknown) => (err instanceof ScheduleNotFoundError ? false : Promise.reject(err)),
        );
    expect(await exists()).toBe(false);
    const options = {
      taskQueuePrefix: planes.temporalSettings.taskQueuePrefix,
      timings: planes.temporalSettings.timings,
      tids: [tid],
    };
    expect(await backfillKeyRotationSchedules(planes.temporal, planes.s.db, options)).toEqual([tid]);
    expect(await exists()).toBe(true);
  });

  it('has its interval corrected by the same backfill when a config change missed it (Temporal was down)', async () => {
    const tid = uniqueTid('rot-drift');
    await planes.createTenant({
      tid,
      name: tid,
      issuer: `https://${tid}.example.com`,
      config: { keys: { rotationIntervalDays: 30 } },
    });
    await schedule(tid).update((previous) => ({ ...previous, spec: { intervals: [{ every: '3 days' }] } }));
    const options = {
      taskQueuePrefix: planes.temporalSettings.taskQueuePrefix,
      timings: planes.temporalSettings.timings,
      tids: [tid],
    };
    expect(await backfillKeyRotationSchedules(planes.temporal, planes.s.db, options)).toEqual([tid]);
    expect((await schedule(tid).describe()).spec.intervals?.map((i) => i.every)).toEqual([30 * DAY_MS]);
    // Up to date now: a second pass changes nothing.
    expect(await backfillKeyRotationSchedules(planes.temporal, planes.s.db, options)).toEqual([]);
  });

  it('one run rotates: the new key is pre-published, then signs; the old one retires, then is deleted', async () => {
    const tid = uniqueTid('rot-run');
    const issuer = `${planes.dataPlaneUrl}/${tid}`;
    await planes.createTenant({
      tid,
      name: tid,
      issuer,
      config: {
        keys: {
          signingAlgorithms: ['ES256'],
          idTokenSigningAlgorithm: 'ES256',
          accessTokenSigningAlgorithm: 'ES256',
          encryptionAlgorithms: [],
          prePublicationSeconds: 6,
        },
        tokens: { accessTokenLifetime: 2, idTokenLifetime: 2 },
        grants: { grantTypes: ['client_credentials'], responseTypes: [] },
      },
    });
    const c = await addClient(planes.s, tid, { grant_types: ['client_credentials'], scope: 'read' });
    const accessToken = async () =>
      (
        await postForm(
          `${issuer}/token`,
          { grant_type: 'client_credentials', scope: 'read' },
          basicAuth(c.clientId, c.secret!),
        )
      ).body.access_token as string;
    const published = async () =>
      ((await (await fetch(`${issuer}/jwks.json`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
    const oldKid = (await published())[0]!;
    expect(await published()).toHaveLength(1);
    expect(kidOf(await accessToken())).toBe(oldKid);

    await schedule(tid).trigger();
    await expect
      .poll(async () => (await schedule(tid).describe()).info.recentActions.length, { timeout: 10_000, interval: 100 })
      .toBe(1);
    const run = (await schedule(tid).describe()).info.recentActions[0]!.action;

    // Pre-publication: both keys in the JWK set, the old one still signing.
    await expect.poll(() => published(), { timeout: 5000, interval: 50 }).toHaveLength(2);
    const newKid = (await published()).find((k) => k !== oldKid)!;
    expect(kidOf(await accessToken())).toBe(oldKid);
    const retiring = await planes.s.db
      .selectFrom('tenant_keys')
      .select('retired_at')
      .where('tid', '=', tid)
      .where('kid', '=', oldKid)
      .executeTakeFirstOrThrow();
    expect(retiring.retired_at!.getTime()).toBeGreaterThan(Date.now()); // retires when the new key activates

    const result = await planes.temporal.workflow
      .getHandle(run.workflow.workflowId, run.workflow.firstExecutionRunId)
      .result();
    expect(result).toEqual({ status: 'rotated', newKids: [newKid], deletedKids: [oldKid] });

    // Activation and deletion: the new key signs, the old one is gone from the JWK set and revoked.
    expect(kidOf(await accessToken())).toBe(newKid);
    await expect.poll(() => published(), { timeout: 2000, interval: 50 }).toEqual([newKid]);
    const rows = await planes.s.db
      .selectFrom('tenant_keys')
      .select(['kid', 'retired_at', 'revoked_at'])
      .where('tid', '=', tid)
      .execute();
    const old = rows.find((r) => r.kid === oldKid)!;
    expect(old.retired_at).not.toBeNull();
    expect(old.revoked_at).not.toBeNull();
    expect(rows.find((r) => r.kid === newKid)).toMatchObject({ retired_at: null, revoked_at: null });
  }, 60_000);
});
