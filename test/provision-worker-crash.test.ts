import { provisionWorkflowId } from '@tessera/control-plane/workflows/ids';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { hsmTokensOf } from './support/hsm-tokens.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { type RunningProcess, startWorkerProcess } from './support/processes.ts';
import { temporalEnv } from './support/temporal.ts';
import { tenantRows } from './support/tenant-rows.ts';

/**
 * The Temporal worker dies (SIGKILL) in the middle of provisionTenant, at the
 * worst moment: an activity has done its work (HSM token created, keys
 * written) but not reported back. A new worker retries the activity; because
 * activities are idempotent the tenant ends active with exactly one HSM token
 * and one set of rows.
 */
describe('provisionTenant survives a worker killed mid-activity', () => {
  let planes: InProcessPlanes;
  const workers: RunningProcess[] = [];

  beforeAll(async () => {
    // No worker in this process: they run as child processes this test can kill.
    planes = await startInProcessPlanes({ worker: false });
  });
  afterAll(async () => {
    await Promise.all(workers.map((w) => w.stop()));
    await planes?.close();
  });

  for (const activity of ['createHsmToken', 'createInitialKeys'] as const) {
    it(`after ${activity} did its work`, async () => {
      const prefix = activity === 'createHsmToken' ? 'crash-hsm' : 'crash-keys';
      const env = {
        ...temporalEnv(planes.temporalSettings),
        TESSERA_TEST_FAULTS: `delay:${activity}:${prefix}-:120000`,
      };
      const doomed = await startWorkerProcess(env);
      workers.push(doomed);
      const tid = uniqueTid(prefix);
      const res = await planes.cp.inject({
        method: 'POST',
        url: '/tenants/rest/v1',
        headers: { authorization: `Bearer ${planes.s.operatorKey}` },
        payload: { tid, name: 'Crash', issuer: `${planes.dataPlaneUrl}/${tid}` },
      });
      expect(res.statusCode).toBe(202);

      // The worker announces the held activity once its work is done; then it dies without a word to Temporal.
      await expect
        .poll(() => doomed.output(), { timeout: 20_000, interval: 50 })
        .toContain(`"activity":"${activity}","tid":"${tid}"`);
      expect(hsmTokensOf(tid)).toBe(1);
      doomed.child.kill('SIGKILL');
      await new Promise((resolve) => doomed.child.once('exit', resolve));
      expect(
        (await planes.s.db.selectFrom('tenants').select('status').where('tid', '=', tid).executeTakeFirstOrThrow())
          .status,
      ).toBe('provisioning');

      // A new worker (without the fault; in this process, which starts in a blink) picks the activity up again once its heartbeat has timed out.
      const replacement = await planes.startWorker();
      await expect
        .poll(
          async () =>
            (await planes.s.db.selectFrom('tenants').select('status').where('tid', '=', tid).executeTakeFirst())
              ?.status,
          { timeout: 30_000, interval: 100 },
        )
        .toBe('active');

      expect(hsmTokensOf(tid)).toBe(1);
      const rows = await tenantRows(planes.s.db, tid);
      expect(rows).toMatchObject({
        tenants: 1,
        tenant_configs: 1,
        tenant_keys: 4,
        tenant_hsm_tokens: 1,
        tenant_secrets: 4,
        tenant_api_tokens: 1,
      });
      const algs = await planes.s.db.selectFrom('tenant_keys').select('alg').where('tid', '=', tid).execute();
      expect(algs.map((k) => k.alg).sort()).toEqual(['ES256', 'EdDSA', 'RS256', 'RSA-OAEP-256']);

      // Temporal's history shows the activity ran twice: the killed attempt and the retry.
      const history = await planes.temporal.workflow.getHandle(provisionWorkflowId(tid)).fetchHistory();
      const scheduled = (history.events ?? []).find(
        (e) => e.activityTaskScheduledEventAttributes?.activityType?.name === activity,
      );
      const started = (history.events ?? []).find(
        (e) =>
          e.activityTaskStartedEventAttributes &&
          Number(e.activityTaskStartedEventAttributes.scheduledEventId) === Number(scheduled?.eventId),
      );
      expect(started?.activityTaskStartedEventAttributes?.attempt).toBeGreaterThanOrEqual(2);

      // The tenant really works: served by the data plane under its issuer.
      const doc = await fetch(`${planes.dataPlaneUrl}/${tid}/.well-known/openid-configuration`);
      expect(doc.status).toBe(200);
      await replacement.shutdown();
    }, 90_000);
  }
});
