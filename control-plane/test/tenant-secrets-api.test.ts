import { TenantSecretStore, WEBHOOK_SECRET_OVERLAP_MS } from '@tessera/shared/plugins/tenant-secret-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';

/**
 * A tenant's plugin secrets through the control plane
 * (docs/plugins/webhooks.md): the webhook secret is generated and shown
 * once per rotation, admin-set values are never shown back, everything is
 * sealed at rest, audited by name and confined to its tenant.
 */
describe('tenant secrets API', () => {
  let planes: InProcessPlanes;
  let a: string;
  let b: string;
  const { operator, mint, call } = adminCalls(() => planes);
  const store = () => new TenantSecretStore(planes.s.db, planes.s.masterKey);
  const base = (tid: string) => `/tenants/rest/v1/${tid}`;

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    a = (
      await planes.createTenant({ tid: uniqueTid('sec-a'), name: 'A', issuer: `https://${uniqueTid('a')}.example.com` })
    ).tid;
    b = (
      await planes.createTenant({ tid: uniqueTid('sec-b'), name: 'B', issuer: `https://${uniqueTid('b')}.example.com` })
    ).tid;
  });
  afterAll(async () => planes?.close());

  it('creates the webhook secret, shows it once, and rotates it with an overlap', async () => {
    const created = await call(operator(), 'POST', `${base(a)}/webhook-secret`);
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const first = created.json() as { secret: string; created_at: string };
    expect(first.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    expect(await store().webhookSigningSecrets(a)).toEqual([first.secret]);

    const listed = await call(operator(), 'GET', `${base(a)}/secrets`);
    expect(listed.statusCode).toBe(200);
    expect(listed.json()).toEqual({
      secrets: [{ name: 'webhook', created_at: first.created_at, previous_valid_until: null }],
    });
    expect(listed.body).not.toContain(first.secret);

    // The tenant's own scoped admin token may rotate it too.
    const rotated = await call(await mint({ tid: a }), 'POST', `${base(a)}/webhook-secret`);
    expect(rotated.statusCode).toBe(201);
    const second = rotated.json() as { secret: string; created_at: string };
    expect(second.secret).not.toBe(first.secret);
    expect(await store().webhookSigningSecrets(a)).toEqual([second.secret, first.secret]);
    const [info] = (await call(operator(), 'GET', `${base(a)}/secrets`)).json().secrets as {
      previous_valid_until: string;
    }[];
    expect(Date.parse(info!.previous_valid_until) - Date.parse(second.created_at)).toBe(WEBHOOK_SECRET_OVERLAP_MS);

    // Sealed at rest and bound to its tenant: the value is not in the row, and another tenant's row cannot open it.
    const row = await planes.s.db
      .selectFrom('tenant_plugin_secrets')
      .selectAll()
      .where('tid', '=', a)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(second.secret);
    expect(JSON.stringify(row)).not.toContain(second.secret.slice('whsec_'.length));
    await planes.s.db
      .insertInto('tenant_plugin_secrets')
      .values({ tid: b, name: 'webhook', sealed: row.sealed, previous_sealed: null, previous_valid_until: null })
      .execute();
    await expect(store().webhookSigningSecrets(b)).rejects.toThrow();
    await planes.s.db.deleteFrom('tenant_plugin_secrets').where('tid', '=', b).execute();
  });

  it('sets admin-chosen secrets without ever showing them back, and deletes them', async () => {
    const scoped = await mint({ tid: a });
    const set = await call(scoped, 'PUT', `${base(a)}/secrets/ldap-bind`, { value: 'bind-pässword-1' });
    expect(set.statusCode).toBe(204);
    expect(set.body).toBe('');
    expect(await store().get(a, 'ldap-bind')).toBe('bind-pässword-1');
    expect((await call(scoped, 'PUT', `${base(a)}/secrets/ldap-bind`, { value: 'bind-password-2' })).statusCode).toBe(
      204,
    );
    expect(await store().get(a, 'ldap-bind')).toBe('bind-password-2');

    const listed = await call(scoped, 'GET', `${base(a)}/secrets`);
    expect((listed.json().secrets as { name: string }[]).map((s) => s.name)).toEqual(['ldap-bind', 'webhook']);
    expect(listed.body).not.toContain('bind-password');

    expect((await call(scoped, 'DELETE', `${base(a)}/secrets/ldap-bind`)).statusCode).toBe(204);
    expect(await store().get(a, 'ldap-bind')).toBeNull();
    const again = await call(scoped, 'DELETE', `${base(a)}/secrets/ldap-bind`);
    expect(again.statusCode).toBe(404);
    expect(again.json()).toMatchObject({ error: 'not_found' });

    // Audited by name, never by value.
    const audit = await planes.s.db
      .selectFrom('audit_log')
      .select(['action', 'target', 'details'])
      .where('tid', '=', a)
      .where('target', 'like', 'tenant_secret:%')
      .orderBy('id')
      .execute();
    expect(audit.map((r) => [r.action, r.target])).toEqual([
      ['webhook_secret.rotated', 'tenant_secret:webhook'],
      ['webhook_secret.rotated', 'tenant_secret:webhook'],
      ['tenant_secret.set', 'tenant_secret:ldap-bind'],
      ['tenant_secret.set', 'tenant_secret:ldap-bind'],
      ['tenant_secret.deleted', 'tenant_secret:ldap-bind'],
    ]);
    expect(JSON.stringify(audit)).not.toMatch(/bind-p|whsec_/);
  });

  it('refuses bad names and values with 400 and changes nothing', async () => {
    const scoped = await mint({ tid: a });
    for (const [method, path, body] of [
      ['PUT', 'secrets/Bad_Name', { value: 'x' }],
      ['PUT', 'secrets/-dash', { value: 'x' }],
      ['PUT', `secrets/${'a'.repeat(64)}`, { value: 'x' }],
      ['PUT', 'secrets/ok-name', { value: '' }],
      ['PUT', 'secrets/ok-name', { value: 'x'.repeat(4097) }],
      ['PUT', 'secrets/ok-name', { value: 'x', extra: 1 }],
      ['PUT', 'secrets/ok-name', {}],
      ['PUT', 'secrets/webhook', { value: 'chosen-by-me' }],
      ['DELETE', 'secrets/Bad_Name', undefined],
    ] as const) {
      const res = await call(scoped, method, `${base(a)}/${path}`, body);
      expect(res.statusCode, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
      expect(Object.keys(res.json())).toEqual(expect.arrayContaining(['error', 'error_description']));
      expect(res.body).not.toMatch(/\bat .*\.ts:\d+/); // no stack trace
    }
    expect(
      (await call(scoped, 'GET', `${base(a)}/secrets`)).json().secrets.map((s: { name: string }) => s.name),
    ).toEqual(['webhook']);
  });

  it("keeps each tenant to its own secrets: another tenant's token gets 403, an unknown tenant 404", async () => {
    const other = await mint({ tid: b });
    for (const [method, path, body] of [
      ['POST', 'webhook-secret', undefined],
      ['GET', 'secrets', undefined],
      ['PUT', 'secrets/ldap-bind', { value: 'stolen' }],
      ['DELETE', 'secrets/webhook', undefined],
    ] as const) {
      const res = await call(other, method, `${base(a)}/${path}`, body);
      expect(res.statusCode, `${method} ${path}`).toBe(403);
      expect(res.json()).toMatchObject({ error: 'forbidden' });
    }
    expect(await store().get(a, 'ldap-bind')).toBeNull();
    expect(await store().webhookSigningSecrets(a)).toHaveLength(2);
    // Tenant B's own list is its own (empty).
    expect((await call(other, 'GET', `${base(b)}/secrets`)).json()).toEqual({ secrets: [] });
    const unknown = await call(operator(), 'POST', `${base('no-such-tenant')}/webhook-secret`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ error: 'tenant_not_found' });
  });

  it('deletes the webhook secret on request, and with its tenant', async () => {
    expect((await call(operator(), 'PUT', `${base(b)}/secrets/ldap-bind`, { value: 'b-secret' })).statusCode).toBe(204);
    expect((await call(operator(), 'POST', `${base(b)}/webhook-secret`)).statusCode).toBe(201);
    expect((await call(operator(), 'DELETE', `${base(b)}/secrets/webhook`)).statusCode).toBe(204);
    expect(await store().webhookSigningSecrets(b)).toEqual([]);
    await planes.s.db.deleteFrom('tenants').where('tid', '=', b).execute();
    const left = await planes.s.db.selectFrom('tenant_plugin_secrets').select('name').where('tid', '=', b).execute();
    expect(left).toEqual([]);
  });
});
