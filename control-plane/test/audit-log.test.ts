import { type AuditEntry, type AuditPage, appendAudit, encodeAuditCursor } from '@tessera/shared/audit/audit-log';
import { purgeExpiredAudit } from '@tessera/shared/audit/audit-retention';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { eventually, uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';
import { startAuditRetentionJob } from '../src/audit/audit-retention-job.ts';

const DAY_MS = 86_400_000;

/**
 * The audit log (docs/audit.md): administrative actions recorded with their
 * actor in the change's transaction, read per tenant with filters and an
 * opaque cursor, append-only in the database, purged per plan, and free of
 * secrets and tokens.
 */
describe('control plane: audit log', () => {
  let planes: InProcessPlanes;
  const { operator, mintToken, call } = adminCalls(() => planes);
  /** Every secret or token value this test sees: none may be in any audit record. */
  const secrets: string[] = [];
  let tidA: string;
  let tidB: string;

  const audit = async (headers: Record<string, string>, tid: string, query = '') => {
    const res = await call(headers, 'GET', `/tenants/rest/v1/${tid}/audit${query}`);
    return res;
  };
  const page = async (tid: string, query = '') => {
    const res = await audit(operator(), tid, query);
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as AuditPage;
  };
  const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    const a = await planes.createTenant({
      tid: uniqueTid('audita'),
      name: 'Audit A',
      issuer: `https://${uniqueTid('audita')}.example.com`,
      plan: 'enterprise',
    });
    const b = await planes.createTenant({
      tid: uniqueTid('auditb'),
      name: 'Audit B',
      issuer: `https://${uniqueTid('auditb')}.example.com`,
    });
    tidA = a.tid;
    tidB = b.tid;
    secrets.push(a.apiToken, b.apiToken);
  });
  afterAll(async () => planes?.close());

  it('shows who changed a tenant’s config and when: two admin tokens, two actors, the version numbers', async () => {
    const first = await mintToken({});
    const second = await mintToken({});
    secrets.push(first.access_token, second.access_token);
    const jtis = [first, second].map((t) => (t as unknown as { jti: string }).jti);
    const before = Date.now();
    for (const [i, token] of [first, second].entries()) {
      const res = await call(bearer(token.access_token), 'PATCH', `/tenants/rest/v1/${tidA}`, {
        config: { tokens: { accessTokenLifetime: 120 + i } },
      });
      expect(res.statusCode, res.body).toBe(200);
    }
    const after = Date.now();

    const { records } = await page(tidA, '?action=tenant.config_changed');
    expect(records.map((r) => [r.actor, r.details])).toEqual([
      [`admin:${jtis[1]}`, { from_version: 2, to_version: 3 }],
      [`admin:${jtis[0]}`, { from_version: 1, to_version: 2 }],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ tid: tidA, target: `tenant:${tidA}` });
      const at = Date.parse(r.occurred_at);
      expect(at).toBeGreaterThanOrEqual(before - 1000);
      expect(at).toBeLessThanOrEqual(after + 1000);
    }
    // The tenant's creation, by the operator key, is there too.
    const created = await page(tidA, '?action=tenant.created');
    expect(created.records).toHaveLength(1);
    expect(created.records[0]).toMatchObject({ actor: 'operator', details: { plan: 'enterprise', config_version: 1 } });
  });

  it('lets a tenant-scoped token read its own tenant’s audit log only', async () => {
    const scoped = await mintToken({ tid: tidB });
    secrets.push(scoped.access_token);
    const other = await audit(bearer(scoped.access_token), tidA);
    expect(other.statusCode).toBe(403);
    expect(other.json().error).toBe('forbidden');
    const own = await audit(bearer(scoped.access_token), tidB);
    expect(own.statusCode).toBe(200);
    const records = (own.json() as AuditPage).records;
    expect(records.length).toBeGreaterThan(0);
    expect(records.every((r) => r.tid === tidB)).toBe(true);
  });

  it('filters by action, actor and time, and pages newest first with an opaque cursor', async () => {
    const scoped = await mintToken({ tid: tidA });
    secrets.push(scoped.access_token);
    const scopedJti = (scoped as unknown as { jti: string }).jti;
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await call(operator(), 'POST', `/tenants/rest/v1/${tidA}/api-tokens`, { label: `t${i}` });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
      secrets.push(res.json().api_token);
    }
    const midway = new Date().toISOString();
    const byScoped = await call(bearer(scoped.access_token), 'POST', `/tenants/rest/v1/${tidA}/api-tokens`, {
      label: 'scoped',
    });
    expect(byScoped.statusCode).toBe(201);
    secrets.push(byScoped.json().api_token);
    for (const id of ids.slice(0, 2))
      expect((await call(operator(), 'DELETE', `/tenants/rest/v1/${tidA}/api-tokens/${id}`)).statusCode).toBe(204);
    // Revoking again changes nothing, and records nothing.
    expect((await call(operator(), 'DELETE', `/tenants/rest/v1/${tidA}/api-tokens/${ids[0]}`)).statusCode).toBe(204);

    const seen: AuditEntry[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const p = await page(tidA, `?action=api_token.*&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      expect(p.records.length).toBeLessThanOrEqual(2);
      seen.push(...p.records);
      cursor = p.next_cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen.map((r) => r.action)).toEqual([
      'api_token.revoked',
      'api_token.revoked',
      'api_token.created',
      'api_token.created',
      'api_token.created',
      'api_token.created',
      'api_token.created',
    ]);
    expect(pages).toBe(4);
    const numeric = seen.map((r) => BigInt(r.id));
    expect(numeric).toEqual([...numeric].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
    expect(new Set(seen.map((r) => r.id)).size).toBe(seen.length);
    expect(seen.slice(0, 2).map((r) => r.target)).toEqual([`api_token:${ids[1]}`, `api_token:${ids[0]}`]);

    const revoked = await page(tidA, '?action=api_token.revoked');
    expect(revoked.records).toHaveLength(2);
    const mine = await page(tidA, `?actor=admin:${scopedJti}`);
    expect(mine.records.map((r) => [r.action, r.details])).toEqual([['api_token.created', { label: 'scoped' }]]);
    const later = await page(tidA, `?action=api_token.*&from=${encodeURIComponent(midway)}`);
    expect(later.records.map((r) => r.action)).toEqual(['api_token.revoked', 'api_token.revoked', 'api_token.created']);
    const earlier = await page(tidA, `?action=api_token.created&to=${encodeURIComponent(midway)}`);
    expect(earlier.records.map((r) => r.details.label)).toEqual(['t3', 't2', 't1', 't0']);

    for (const query of [
      '?from=yesterday',
      `?from=${encodeURIComponent(midway)}&to=${encodeURIComponent(midway)}`,
      '?action=nothing.happened',
      '?action=drop table',
      '?actor=bob',
      '?cursor=not-a-cursor',
      // The cursor's format around an id that is not one.
      `?cursor=${encodeAuditCursor('-1')}`,
    ]) {
      const res = await audit(operator(), tidA, query);
      expect(res.statusCode, query).toBe(400);
      expect(res.json()).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
    }
    expect((await audit(operator(), tidA, '?limit=0')).statusCode).toBe(400);
    expect((await audit(operator(), tidA, '?colour=red')).statusCode).toBe(400);
  });

  it('records suspension, resumption, aliases, plans, admin tokens and the webhook secret, with their actors', async () => {
    expect((await call(operator(), 'POST', `/tenants/rest/v1/${tidB}/suspend`)).statusCode).toBe(200);
    expect((await call(operator(), 'POST', `/tenants/rest/v1/${tidB}/resume`)).statusCode).toBe(200);
    // Resuming an active tenant is a no-op: not recorded.
    expect((await call(operator(), 'POST', `/tenants/rest/v1/${tidB}/resume`)).statusCode).toBe(200);
    const alias = `https://${uniqueTid('alias')}.example.com`;
    const added = await call(operator(), 'POST', `/tenants/rest/v1/${tidB}/aliases`, {
      issuer: alias,
      mode: 'MIGRATION',
    });
    expect(added.statusCode, added.body).toBe(201);
    const removed = await call(
      operator(),
      'DELETE',
      `/tenants/rest/v1/${tidB}/aliases?issuer=${encodeURIComponent(alias)}`,
    );
    expect(removed.statusCode).toBe(204);
    const rotated = await call(operator(), 'POST', `/tenants/rest/v1/${tidB}/webhook-secret`);
    expect(rotated.statusCode, rotated.body).toBe(201);
    secrets.push(rotated.json().secret);
    const scoped = await mintToken({ tid: tidB });
    secrets.push(scoped.access_token);
    const jti = (scoped as unknown as { jti: string }).jti;
    expect((await call(operator(), 'DELETE', `/admin-tokens/rest/v1/${jti}`)).statusCode).toBe(204);

    const { records } = await page(tidB, '?limit=200');
    const actions = records.map((r) => r.action);
    for (const action of [
      'tenant.created',
      'tenant.suspended',
      'tenant.resumed',
      'alias.added',
      'alias.removed',
      'webhook_secret.rotated',
      'admin_token.created',
      'admin_token.revoked',
    ])
      expect(actions, action).toContain(action);
    expect(actions.filter((a) => a === 'tenant.resumed')).toHaveLength(1);
    expect(records.find((r) => r.action === 'admin_token.revoked')).toMatchObject({
      actor: 'operator',
      target: `admin_token:${jti}`,
    });

    const plan = uniqueTid('auditplan');
    const put = await call(operator(), 'PUT', `/plans/rest/v1/${plan}`, {
      name: 'Audited',
      quotas: {
        clients: 1,
        users: 1,
        monthly_active_subjects: 1,
        token_requests_per_second: 1,
        token_requests_burst: 1,
        issuer_aliases: 1,
        api_tokens: 1,
      },
      audit_retention_days: 14,
    });
    expect(put.statusCode, put.body).toBe(201);
    expect(put.json().audit_retention_days).toBe(14);
    expect((await call(operator(), 'DELETE', `/plans/rest/v1/${plan}`)).statusCode).toBe(204);
    const planRows = await planes.s.db
      .selectFrom('audit_log')
      .select(['tid', 'actor', 'action'])
      .where('target', '=', `plan:${plan}`)
      .orderBy('id')
      .execute();
    expect(planRows).toEqual([
      { tid: null, actor: 'operator', action: 'plan.created' },
      { tid: null, actor: 'operator', action: 'plan.deleted' },
    ]);
  });

  it('is append-only: the database refuses UPDATE, DELETE and TRUNCATE', async () => {
    const { db } = planes.s;
    const before = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    for (const statement of [
      sql`update audit_log set actor = 'someone else' where tid = ${tidA}`,
      sql`delete from audit_log where tid = ${tidA}`,
      sql`truncate audit_log`,
    ])
      await expect(statement.execute(db)).rejects.toMatchObject({ code: '42501' });
    // Even inside a transaction that sets the purge switch, UPDATE is refused.
    await expect(
      db.transaction().execute(async (trx) => {
        await sql`set local tessera.audit_purge = 'on'`.execute(trx);
        await sql`update audit_log set actor = 'x' where tid = ${tidA}`.execute(trx);
      }),
    ).rejects.toMatchObject({ code: '42501' });
    const after = await db
      .selectFrom('audit_log')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirst();
    expect(Number(after?.n)).toBeGreaterThanOrEqual(Number(before?.n));
    expect((await page(tidA, '?action=tenant.config_changed')).records[0]?.actor).toMatch(/^admin:/);
  });

  it('purges records older than their plan keeps them, and only those, in batches and from the BullMQ job', async () => {
    const { db } = planes.s;
    const now = Date.now();
    const ago = (days: number) => new Date(now - days * DAY_MS);
    const gone = uniqueTid('gone');
    const marker = `retention-${uniqueTid('r')}`;
    const rows = [
      // tidB is on free (7 days), tidA on enterprise (365), `gone` has no tenant row (the longest: 365).
      { tid: tidB, days: 8, kept: false },
      { tid: tidB, days: 6, kept: true },
      { tid: tidA, days: 8, kept: true },
      { tid: tidA, days: 364, kept: true },
      { tid: tidA, days: 366, kept: false },
      { tid: gone, days: 300, kept: true },
      { tid: gone, days: 400, kept: false },
      { tid: gone, days: 500, kept: false },
    ];
    await appendAudit(
      db,
      rows.map((r, i) => ({
        tid: r.tid,
        actor: 'system',
        action: 'tenant.attrs_changed',
        target: marker,
        details: { i },
        occurredAt: ago(r.days),
      })),
    );
    const survivors = async () =>
      (await db.selectFrom('audit_log').select('details').where('target', '=', marker).execute())
        .map((r) => (r.details as { i: number }).i)
        .sort((x, y) => x - y);
    expect(await survivors()).toHaveLength(rows.length);
    const purged = await purgeExpiredAudit(db, new Date(now), { batchSize: 2 });
    expect(purged).toBeGreaterThanOrEqual(4);
    const kept = rows.flatMap((r, i) => (r.kept ? [i] : []));
    expect(await survivors()).toEqual(kept);
    // The recent records of the tenants are untouched.
    expect((await page(tidA, '?action=tenant.config_changed')).records).toHaveLength(2);

    // The worker's repeatable job purges too.
    await appendAudit(db, [
      {
        tid: tidB,
        actor: 'system',
        action: 'tenant.attrs_changed',
        target: marker,
        details: { i: 99 },
        occurredAt: ago(30),
      },
    ]);
    const job = await startAuditRetentionJob({
      db,
      redisUrl: planes.s.settings.redisUrl,
      redisPrefix: planes.s.settings.redisPrefix,
      everyMs: 200,
    });
    try {
      expect(await eventually(survivors, (left) => !left.includes(99), 15_000)).toEqual(kept);
    } finally {
      await job.close();
    }
  });

  it('holds no secret or token in any record', async () => {
    // A secret that reaches appendAudit by mistake is redacted by the guard.
    const leaked = `sk_${'Ab1'.repeat(15)}`;
    secrets.push(leaked);
    await appendAudit(planes.s.db, [
      {
        tid: tidA,
        actor: 'system',
        action: 'tenant.attrs_changed',
        details: { client_secret: 'plain words', nested: { value: leaked }, token_id: 'kept' },
      },
    ]);
    const guarded = await page(tidA, '?action=tenant.attrs_changed&limit=1');
    expect(guarded.records[0]?.details).toEqual({
      client_secret: '[redacted]',
      nested: { value: '[redacted]' },
      token_id: 'kept',
    });

    expect(secrets.length).toBeGreaterThanOrEqual(10);
    const dump = await sql<{ row: string }>`select audit_log::text as row from audit_log`.execute(planes.s.db);
    expect(dump.rows.length).toBeGreaterThan(20);
    const text = dump.rows.map((r) => r.row).join('\n');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(20);
      expect(text.includes(secret), 'a secret is in the audit log').toBe(false);
    }
  });

  it('keeps a deleted tenant’s records readable by the operator, with the deletion', async () => {
    const res = await call(operator(), 'DELETE', `/tenants/rest/v1/${tidB}?wait=true`);
    expect(res.statusCode, res.body).toBe(204);
    const { records } = await page(tidB);
    expect(records[0]).toMatchObject({ action: 'tenant.deleted', actor: 'operator', target: `tenant:${tidB}` });
    expect(records.some((r) => r.action === 'tenant.created')).toBe(true);
  });
});
