import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { usePrivateSoftHsm } from './support/private-softhsm.ts';

// A pool of one token, initialised ahead in a SoftHSM of this file's own, as an operator would.
const softhsm = usePrivateSoftHsm();
const label = `pool-${randomBytes(4).toString('hex')}`;
const pool = [{ label, pin: softhsm.initToken(label) }];

/**
 * TESSERA_HSM_MODE=slot-pool through the provisioning and deprovisioning
 * workflows on the real Temporal dev server: a tenant gets the pool's token,
 * the next one fails clearly (status_reason, the free-members gauge at 0),
 * and deleting the first returns the token.
 */
describe('slot-pool HSM mode: provisioning claims a pool token, deprovisioning returns it', () => {
  let planes: InProcessPlanes;
  let auth: Record<string, string>;
  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) =>
    planes.cp.inject({ method, url, headers: auth, ...(payload ? { payload } : {}) });
  const freeMembers = async () => {
    const res = await planes.cp.inject({
      method: 'GET',
      url: '/monitor/v1/metrics',
      headers: { authorization: `Bearer ${planes.s.monitorToken}` },
    });
    return Number(/^tessera_hsm_pool_free_members (\d+)$/m.exec(res.body)?.[1]);
  };

  beforeAll(async () => {
    planes = await startInProcessPlanes({
      settings: { hsm: { mode: 'slot-pool', pool, shared: undefined, calls: 'pool' } },
    });
    auth = { authorization: `Bearer ${planes.s.operatorKey}` };
  });
  afterAll(async () => planes?.close());

  it('provisions on the pool token, refuses the next tenant when the pool is empty, and frees the token on delete', async () => {
    expect(await freeMembers()).toBe(1);
    const pooled = uniqueTid('poolp-a');
    const { tid } = await planes.createTenant({
      tid: pooled,
      name: 'Pooled',
      issuer: `${planes.dataPlaneUrl}/${pooled}`,
    });
    const row = await planes.s.db
      .selectFrom('tenant_hsm_tokens')
      .selectAll()
      .where('tid', '=', tid)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ label, layout: 'pool', so_pin_sealed: null, user_pin_sealed: null });
    const key = await planes.s.db
      .selectFrom('tenant_keys')
      .select(['kid', 'alg', 'backend'])
      .where('tid', '=', tid)
      .where('alg', '=', 'ES256')
      .executeTakeFirstOrThrow();
    expect(key.backend).toBe('pkcs11');
    const store = planes.s.keyStores.for('pkcs11');
    expect((await store.sign(tid, { kid: key.kid, alg: 'ES256' }, Buffer.from('a.b'))).length).toBe(64);
    expect(await freeMembers()).toBe(0);

    const doomed = uniqueTid('poolp-b');
    const res = await api('POST', '/tenants/rest/v1?wait=true', {
      tid: doomed,
      name: 'No token left',
      issuer: `${planes.dataPlaneUrl}/${doomed}`,
    });
    expect(res.statusCode).toBe(502);
    expect(res.json()).toMatchObject({ error: 'provisioning_failed' });
    const view = (await api('GET', `/tenants/rest/v1/${doomed}`)).json();
    expect(view.status).toBe('failed');
    expect(view.status_reason).toContain('createHsmToken: the HSM slot pool is exhausted');
    expect(await planes.s.db.selectFrom('tenant_hsm_tokens').where('tid', '=', doomed).selectAll().execute()).toEqual(
      [],
    );

    expect((await api('DELETE', `/tenants/rest/v1/${tid}?wait=true`)).statusCode).toBe(204);
    expect(await freeMembers()).toBe(1);
    const member = await planes.s.db
      .selectFrom('hsm_pool_members')
      .selectAll()
      .where('label', '=', label)
      .executeTakeFirstOrThrow();
    expect(member.claimed_by).toBeNull();
    expect((await api('DELETE', `/tenants/rest/v1/${doomed}?wait=true`)).statusCode).toBe(204);
  }, 90_000);
});
