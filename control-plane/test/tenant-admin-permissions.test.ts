import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCalls } from '../../test/support/admin-calls.ts';
import { uniqueTid } from '../../test/support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from '../../test/support/planes.ts';

/**
 * Roles (docs/control-plane-api.md): a tenant-scoped admin JWT runs its own
 * tenant (name, config, API tokens, aliases) but may not do the operator's
 * part — suspend/resume, plan and attrs, creating or deleting tenants.
 */
describe('control plane: what a tenant-scoped admin token may not do', () => {
  let planes: InProcessPlanes;
  let tid: string;
  const { operator, mint, call } = adminCalls(() => planes);
  const read = async (id: string) =>
    (await call(operator(), 'GET', `/tenants/rest/v1/${id}`)).json() as Record<string, unknown>;
  const expectForbidden = (res: { statusCode: number; json(): unknown }, what: string) => {
    expect(res.statusCode, what).toBe(403);
    expect(res.json(), what).toEqual({
      error: 'forbidden',
      error_description: expect.stringMatching(/^A tenant-scoped admin token may not /),
    });
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    tid = (
      await planes.createTenant({
        tid: uniqueTid('perm'),
        name: 'Perm',
        issuer: `https://${uniqueTid('perm')}.example.com`,
        attrs: { crm_id: 'A-1' },
      })
    ).tid;
  });
  afterAll(async () => planes?.close());

  it('cannot suspend its tenant, nor lift an operator suspension', async () => {
    const scoped = await mint({ tid });
    expectForbidden(await call(scoped, 'POST', `/tenants/rest/v1/${tid}/suspend`), 'suspend');
    expect(await read(tid)).toMatchObject({ status: 'active' });

    expect((await call(operator(), 'POST', `/tenants/rest/v1/${tid}/suspend`)).json().status).toBe('suspended');
    expectForbidden(await call(scoped, 'POST', `/tenants/rest/v1/${tid}/resume`), 'resume');
    expect(await read(tid)).toMatchObject({ status: 'suspended' });
    expect((await call(operator(), 'POST', `/tenants/rest/v1/${tid}/resume`)).json().status).toBe('active');
  });

  it('cannot change its plan or attrs (nor anything else in the same request), but may change its name and config', async () => {
    const scoped = await mint({ tid });
    const before = await read(tid);
    for (const body of [
      { plan: 'enterprise' },
      { attrs: { crm_id: 'mine' } },
      { name: 'Renamed', plan: 'business' },
      { config: {}, attrs: {} },
    ]) {
      expectForbidden(await call(scoped, 'PATCH', `/tenants/rest/v1/${tid}`, body), JSON.stringify(body));
    }
    const after = await read(tid);
    expect(after).toMatchObject({
      name: before.name,
      plan: 'free',
      attrs: { crm_id: 'A-1' },
      config_version: before.config_version,
    });

    const renamed = await call(scoped, 'PATCH', `/tenants/rest/v1/${tid}`, {
      name: 'Perm, renamed',
      config: { tokens: { accessTokenLifetime: 300 } },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({
      name: 'Perm, renamed',
      config_version: (before.config_version as number) + 1,
    });
  });

  it('cannot delete its tenant', async () => {
    const scoped = await mint({ tid });
    expectForbidden(await call(scoped, 'DELETE', `/tenants/rest/v1/${tid}?wait=true`), 'delete');
    expect(await read(tid)).toMatchObject({ tid, status: 'active' });
  });

  it('cannot re-create its tid once the operator has deleted the tenant', async () => {
    const gone = uniqueTid('perm-gone');
    const issuer = `https://${gone}.example.com`;
    await planes.createTenant({ tid: gone, name: 'Gone', issuer });
    const scoped = await mint({ tid: gone });
    expect((await call(operator(), 'DELETE', `/tenants/rest/v1/${gone}?wait=true`)).statusCode).toBe(204);

    expectForbidden(
      await call(scoped, 'POST', '/tenants/rest/v1?wait=true', { tid: gone, name: 'Back', issuer }),
      'create',
    );
    expect(
      await planes.s.db.selectFrom('tenants').select('tid').where('tid', '=', gone).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('still runs its own tenant: reads it, mints and lists API tokens, lists aliases, checks a config', async () => {
    const scoped = await mint({ tid });
    expect((await call(scoped, 'GET', `/tenants/rest/v1/${tid}`)).statusCode).toBe(200);
    expect((await call(scoped, 'POST', `/tenants/rest/v1/${tid}/api-tokens`, { label: 'ci' })).statusCode).toBe(201);
    expect((await call(scoped, 'GET', `/tenants/rest/v1/${tid}/api-tokens`)).statusCode).toBe(200);
    expect((await call(scoped, 'GET', `/tenants/rest/v1/${tid}/aliases`)).statusCode).toBe(200);
    expect((await call(scoped, 'POST', '/config/check', {})).statusCode).toBe(204);
  });

  it('leaves the unscoped admin token what it could do: suspend, resume, plan and attrs', async () => {
    const unscoped = await mint({});
    expect((await call(unscoped, 'POST', `/tenants/rest/v1/${tid}/suspend`)).json().status).toBe('suspended');
    expect((await call(unscoped, 'POST', `/tenants/rest/v1/${tid}/resume`)).json().status).toBe('active');
    const patched = await call(unscoped, 'PATCH', `/tenants/rest/v1/${tid}`, {
      plan: 'business',
      attrs: { crm_id: 'A-2' },
    });
    expect(patched.statusCode).toBe(200);
    expect(await read(tid)).toMatchObject({ plan: 'business', attrs: { crm_id: 'A-2' } });
  });

  it('sees which step of a failure failed, never its internal message (the operator sees it all)', async () => {
    const failed = await planes.createTenant({
      tid: uniqueTid('permf'),
      name: 'Failed',
      issuer: `https://${uniqueTid('permf')}.example.com`,
    });
    const internal = 'createInitialKeys: CKR_PIN_INCORRECT (160) in C_Login of slot 1234';
    await planes.s.db
      .updateTable('tenants')
      .set({ status: 'failed', status_reason: internal })
      .where('tid', '=', failed.tid)
      .execute();
    const scoped = await mint({ tid: failed.tid });
    const own = (await call(scoped, 'GET', `/tenants/rest/v1/${failed.tid}`)).json();
    expect(own.status_reason).toBe('createInitialKeys failed; the operator has the details');
    const listed = (await call(scoped, 'GET', '/tenants/rest/v1')).json();
    expect(listed.tenants[0].status_reason).toBe('createInitialKeys failed; the operator has the details');
    expect((await read(failed.tid)).status_reason).toBe(internal);
  });
});
