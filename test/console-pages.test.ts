import { randomBytes } from 'node:crypto';
import type { EventJobs } from '@tessera/control-plane/events/event-jobs';
import { PostgresUserDirectory } from '@tessera/data-plane/directory/user-directory';
import { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addClient } from './support/clients.ts';
import { type ConsolePlanes, startConsolePlanes, unescapeHtml } from './support/console-http.ts';
import { uniqueTid } from './support/env.ts';
import { startTestEventJobs } from './support/event-jobs.ts';
import { type EventReceiver, startEventReceiver } from './support/event-receiver.ts';
import type { InProcessPlanes } from './support/planes.ts';

/**
 * The admin console's tenant tabs (keys, clients, users, usage and plan,
 * audit log, webhooks and dead letters), driven over HTTP after a real
 * sign-in through the operator tenant's hosted login: each page shows what
 * the control-plane API holds; the owner rotates keys (the data plane's key
 * store, through a temporary API token the console mints and revokes),
 * changes the plan, and retries the dead letter the rotation's event left
 * at a failing webhook; a viewer's rotation is refused by the API and
 * changes nothing.
 */
describe('admin console tenant tabs over HTTP', () => {
  let c: ConsolePlanes;
  let planes: InProcessPlanes;
  let consoleUrl: string;
  let tid: string;
  let clientId: string;
  let receiver: EventReceiver;
  let jobs: EventJobs | undefined;
  const planId = `pages-${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('base64url');
  const cp: ConsolePlanes['cp'] = (...args) => c.cp(...args);
  const kids = async () =>
    ((await cp('GET', `/tenants/rest/v1/${tid}/keys`)).json() as { keys: Array<{ kid: string }> }).keys.map(
      (k) => k.kid,
    );
  /** The tenant's API tokens not revoked. */
  const liveApiTokens = async () =>
    (
      (await cp('GET', `/tenants/rest/v1/${tid}/api-tokens`)).json() as {
        api_tokens: Array<{ id: string; revoked_at: string | null }>;
      }
    ).api_tokens
      .filter((t) => t.revoked_at === null)
      .map((t) => t.id);

  beforeAll(async () => {
    c = await startConsolePlanes(password);
    ({ planes, consoleUrl } = c);
    const directory = new PostgresUserDirectory(planes.s.db);

    // A plan to move to, with quotas to recognise.
    const plan = await cp('PUT', `/plans/rest/v1/${planId}`, {
      name: 'Console pages plan',
      quotas: {
        clients: 4711,
        users: null,
        monthly_active_subjects: null,
        token_requests_per_second: null,
        token_requests_burst: null,
        issuer_aliases: null,
        api_tokens: null,
      },
    });
    expect(plan.statusCode, plan.body).toBeLessThan(300);

    // The tenant the tabs show: a client, a user, a day of usage, and a webhook that fails (dead letters).
    receiver = await startEventReceiver();
    receiver.answer['/hook'] = 500;
    tid = uniqueTid('tabs');
    await planes.createTenant({
      tid,
      name: 'Tabs tenant',
      issuer: `${planes.dataPlaneUrl}/${tid}`,
      config: { events: { endpoints: [{ url: `${receiver.url}/hook`, types: ['key.rotated'] }] } },
    });
    await new TenantSecretStore(planes.s.db, planes.s.masterKey).rotateWebhookSecret(tid);
    jobs = await startTestEventJobs(planes, {
      consumer: `console-pages-${process.pid}`,
      settings: { attempts: 2, backoffMs: 100, timeoutMs: 2000 },
    });
    clientId = (
      await addClient(planes.s, tid, {
        client_name: 'Console pages client',
        redirect_uris: ['https://app.example/cb'],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      })
    ).clientId;
    await directory.create(tid, { username: 'ada', sub: 'sub-ada', password, claims: { name: 'Ada Lovelace' } });
    await planes.s.db
      .insertInto('usage')
      .values({ tid, day: new Date().toISOString().slice(0, 10), dimension: 'tokens:client_credentials', value: 4242 })
      .execute();
  }, 120_000);

  afterAll(async () => {
    await jobs?.close();
    await receiver?.close();
    await planes?.close();
  });

  const signedIn = (who: 'owner' | 'viewer') => c.signIn(who);
  const tab = (slug: string, query = '') => `${consoleUrl}/console/tenants/${tid}/${slug}${query}`;

  it('the owner sees each tab hold what the API holds, changes the plan, rotates keys, and finds it all in the audit log', async () => {
    const owner = await signedIn('owner');

    // Keys: every kid the API lists, and a rotation that adds new (pending) keys.
    const before = await kids();
    expect(before.length).toBeGreaterThan(0);
    const keys = await owner.go('GET', tab('keys'));
    expect(keys.status).toBe(200);
    for (const kid of before) expect(keys.body).toContain(kid);
    expect(keys.body).toContain('aria-current="page">Keys</a>');
    expect(keys.body).toContain('<button type="submit" class="primary">Rotate keys</button>');
    const tokensBefore = await liveApiTokens();
    const rotated = await owner.go('POST', tab('keys/rotate'), { _csrf: owner.csrf });
    expect(rotated.status, rotated.body).toBe(200);
    expect(rotated.url).toContain(`/console/tenants/${tid}/keys?done=`);
    expect(rotated.body).toContain('Keys rotated');
    const after = await kids();
    const added = after.filter((k) => !before.includes(k));
    expect(added.length).toBeGreaterThan(0);
    for (const kid of added) expect(rotated.body).toContain(kid);
    expect(rotated.body).toContain('status-pending');
    // The temporary API token was revoked again.
    expect(await liveApiTokens()).toEqual(tokensBefore);

    // Clients, users.
    const clients = await owner.go('GET', tab('clients'));
    expect(clients.status).toBe(200);
    expect(clients.body).toContain(clientId);
    expect(clients.body).toContain('Console pages client');
    expect(clients.body).toContain('https://app.example/cb');
    const users = await owner.go('GET', tab('users'));
    expect(users.body).toContain('sub-ada');
    expect(users.body).toContain('Ada Lovelace');
    const found = await owner.go('GET', tab('users', '?username=ada'));
    expect(found.body).toContain('sub-ada');
    const none = await owner.go('GET', tab('users', '?username=nobody'));
    expect(none.body).toContain('No user named nobody.');
    expect(none.body).not.toContain('sub-ada');

    // Usage and plan: the day's usage, the plans' quotas, and a plan change.
    const usage = await owner.go('GET', tab('usage'));
    expect(usage.status, usage.body).toBe(200);
    expect(usage.body).toContain('tokens:client_credentials');
    expect(usage.body).toContain('4242');
    expect(usage.body).toContain('Change plan');
    const plans = (await cp('GET', '/plans/rest/v1')).json() as { plans: Array<{ id: string }> };
    for (const p of plans.plans) expect(usage.body).toContain(`<code>${p.id}</code>`);
    expect(usage.body).toContain('4711');
    const changed = await owner.go('POST', tab('usage/plan'), { _csrf: owner.csrf, plan: planId });
    expect(changed.status, changed.body).toBe(200);
    expect(changed.body).toContain(`The plan is now ${planId}.`);
    expect(changed.body).toContain(`<option value="${planId}" selected>`);
    expect((await cp('GET', `/tenants/rest/v1/${tid}`)).json().plan).toBe(planId);
    const planAudit = await owner.go('GET', tab('audit', '?action=tenant.plan_changed'));
    expect(planAudit.body).toContain('tenant.plan_changed');
    expect(planAudit.body).toContain(`console:${c.people.owner.sub}`);

    // Audit: the console member's API token for the rotation, filtered by action, and paging.
    const audit = await owner.go('GET', tab('audit', '?action=api_token.*'));
    expect(audit.status, audit.body).toBe(200);
    expect(audit.body).toContain('api_token.created');
    expect(audit.body).toContain('api_token.revoked');
    expect(audit.body).toContain(`console:${c.people.owner.sub}`);
    expect(audit.body).toContain('tessera-console');
    const refusedFilter = await owner.go('GET', tab('audit', '?action=nothing.at_all'));
    expect(refusedFilter.status).toBe(400);
    expect(refusedFilter.body).toContain('role="alert"');

    // Webhooks and dead letters: the rotation's key.rotated event failed at the webhook, twice: a dead letter, retried.
    const eventsPage = () => owner.go('GET', tab('events'));
    await expect.poll(async () => (await eventsPage()).body, { timeout: 30_000 }).toContain('Retry</button>');
    const events = await eventsPage();
    expect(events.status, events.body).toBe(200);
    expect(events.body).toContain(`${receiver.url}/hook`);
    expect(events.body).toContain('key.rotated');
    expect(events.body).toContain('answered 500');
    receiver.answer['/hook'] = 200;
    const retryAction = unescapeHtml(events.body.match(/action="([^"]*\/retry)"/)![1]!);
    const retried = await owner.go('POST', `${consoleUrl}${retryAction}`, { _csrf: owner.csrf });
    expect(retried.status, retried.body).toBe(200);
    expect(retried.body).toContain('is queued again');
    await expect
      .poll(() => receiver.calls.some((c) => c.path === '/hook' && c.status === 200), { timeout: 15_000 })
      .toBe(true);
    await expect.poll(async () => (await eventsPage()).body, { timeout: 15_000 }).toContain('No dead letters.');
    const missing = await owner.go(
      'POST',
      tab('events/dead-letters/0123456789abcdef0123456789abcdef-0123456789abcdef/retry'),
      {
        _csrf: owner.csrf,
      },
    );
    expect(missing.status).toBeGreaterThanOrEqual(400);
    expect(missing.body).toContain('role="alert"');

    // A post without the session's CSRF token changes nothing.
    const forged = await owner.go('POST', tab('keys/rotate'), { _csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(await kids()).toEqual(after);
  }, 180_000);

  it('a viewer reads every tab but its rotation is refused by the API (403) and adds no key', async () => {
    const viewer = await signedIn('viewer');
    const before = await kids();
    const keys = await viewer.go('GET', tab('keys'));
    expect(keys.status).toBe(200);
    for (const kid of before) expect(keys.body).toContain(kid);
    expect(keys.body).not.toContain('Rotate keys</button>');
    for (const slug of ['clients', 'users', 'usage', 'audit', 'events']) {
      const page = await viewer.go('GET', tab(slug));
      expect(page.status, `${slug}: ${page.body}`).toBe(200);
      expect(page.body).not.toContain('Change plan');
      expect(page.body).not.toContain('Retry</button>');
    }
    // The form reached anyway: the control plane refuses the viewer's token, not the page.
    const refused = await viewer.go('POST', tab('keys/rotate'), { _csrf: viewer.csrf });
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('403 forbidden');
    expect(refused.body).toContain('A console viewer may read but not change anything');
    expect(await kids()).toEqual(before);
  }, 120_000);

  it("a tenant administrator reads its own tenant's tabs and is refused every tab of another", async () => {
    const tadmin = await c.signIn('tadmin');
    for (const slug of ['keys', 'clients', 'users', 'usage', 'audit', 'events']) {
      const own = await tadmin.go('GET', `${consoleUrl}/console/tenants/${c.owned}/${slug}`);
      expect(own.status, `${slug}: ${own.body}`).toBe(200);
      const other = await tadmin.go('GET', tab(slug));
      expect(other.status, slug).toBe(403);
      expect(unescapeHtml(other.body)).toContain(`This tenant administrator acts on tenant "${c.owned}" alone`);
    }
    // Its own tenant's keys it may rotate (a tenant administrator runs its tenant).
    const before = (await c.cp('GET', `/tenants/rest/v1/${c.owned}/keys`)).json().keys.length as number;
    const rotated = await tadmin.go('POST', `${consoleUrl}/console/tenants/${c.owned}/keys/rotate`, {
      _csrf: tadmin.csrf,
    });
    expect(rotated.status, rotated.body).toBeLessThan(400);
    expect((await c.cp('GET', `/tenants/rest/v1/${c.owned}/keys`)).json().keys.length).toBeGreaterThan(before);
  }, 120_000);
});
