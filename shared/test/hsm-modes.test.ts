import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices, uniqueTid } from '../../test/support/env.ts';
import { usePrivateSoftHsm } from '../../test/support/private-softhsm.ts';
import { ROOT } from '../../test/support/processes.ts';
import { insertTenantRow } from '../../test/support/tenant-rows.ts';
import { type KeyInfo, KeyNotFoundError, type KeyStore } from '../src/keys/key-store.ts';
import { HsmPoolExhaustedError, hsmPool } from '../src/keys/pkcs11/hsm-pool.ts';
import { ownedBy, sharedObjectName } from '../src/keys/pkcs11-key-store.ts';

// Tokens of this file's own, initialised ahead as an operator would (softhsm2-util).
const softhsm = usePrivateSoftHsm();
const hex = () => randomBytes(4).toString('hex');
const input = Buffer.from('eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9');

/** Run a helper script in its own process (this one holds the PKCS#11 library). */
const inspect = (script: string, ...args: string[]) =>
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'test/support', script), ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    stdio: 'pipe',
  });

describe('shared partition: one token, every tenant’s keys under its own name', () => {
  const label = `shared-${hex()}`;
  const pin = softhsm.initToken(label);
  let s: TestServices;
  let store: KeyStore;
  const tidA = uniqueTid('shp-a');
  const tidB = uniqueTid('shp-b');
  let keyA: KeyInfo;
  let keyB: KeyInfo;

  beforeAll(async () => {
    s = openTestServices({ hsm: { mode: 'shared-partition', pool: [], shared: { label, pin }, calls: 'pool' } });
    store = s.keyStores.for('pkcs11');
    for (const tid of [tidA, tidB]) {
      await insertTenantRow(s.db, tid);
      await store.ensureTenant(tid);
    }
    keyA = (await store.generate(tidA, [{ alg: 'ES256', rsaKeySize: 2048 }]))[0]!;
    keyB = (await store.generate(tidB, [{ alg: 'ES256', rsaKeySize: 2048 }]))[0]!;
  }, 60_000);
  afterAll(async () => s.close());

  it('keeps both tenants on the one token, their objects named tessera:{tid}:{kid}, private keys unreadable', async () => {
    const rows = await s.db.selectFrom('tenant_hsm_tokens').selectAll().where('tid', 'in', [tidA, tidB]).execute();
    expect(rows.map((r) => [r.label, r.layout, r.user_pin_sealed])).toEqual([
      [label, 'shared', null],
      [label, 'shared', null],
    ]);
    const attrs = JSON.parse(inspect('hsm-inspect.ts', label, pin, sharedObjectName(tidA, keyA.kid)));
    expect(attrs).toMatchObject({ sensitive: true, extractable: false });
    // The bare kid names nothing: objects are only found under their tenant's name.
    expect(() => inspect('hsm-inspect.ts', label, pin, keyA.kid)).toThrow(/no private key/);
    expect((await store.sign(tidA, keyA, input)).length).toBe(64);
    expect((await store.sign(tidB, keyB, input)).length).toBe(64);
  });

  it('never signs for tenant B with tenant A’s key, even when B’s key rows name it', async () => {
    await expect(store.sign(tidB, keyA, input)).rejects.toBeInstanceOf(KeyNotFoundError);
    // A forged row (a bug or a tampered database) gives B A's kid: the token look-up under B's name still finds nothing.
    const row = await s.db
      .selectFrom('tenant_keys')
      .selectAll()
      .where('tid', '=', tidA)
      .where('kid', '=', keyA.kid)
      .executeTakeFirstOrThrow();
    await s.db
      .insertInto('tenant_keys')
      .values({ ...row, tid: tidB, public_jwk: JSON.stringify(row.public_jwk) })
      .execute();
    store.forgetTenant(tidB);
    await expect(store.sign(tidB, keyA, input)).rejects.toBeInstanceOf(KeyNotFoundError);
    expect((await store.sign(tidA, keyA, input)).length).toBe(64);
    await s.db.deleteFrom('tenant_keys').where('tid', '=', tidB).where('kid', '=', keyA.kid).execute();
  });

  it('checks the object’s own CKA_ID and CKA_LABEL on every use: a cached handle renamed to another tenant is refused', async () => {
    const kid = (await store.generate(tidA, [{ alg: 'ES256', rsaKeySize: 2048 }]))[0]!.kid;
    const key = { kid, alg: 'ES256' as const };
    expect((await store.sign(tidA, key, input)).length).toBe(64); // the handle is cached now
    const out = inspect('hsm-rename.ts', label, pin, sharedObjectName(tidA, kid), sharedObjectName(tidB, kid));
    expect(JSON.parse(out)).toEqual({ renamed: 1 });
    await expect(store.sign(tidA, key, input)).rejects.toBeInstanceOf(KeyNotFoundError);
    expect(ownedBy(tidA, kid, sharedObjectName(tidA, kid), sharedObjectName(tidA, kid))).toBe(true);
    expect(ownedBy(tidA, kid, sharedObjectName(tidA, kid), sharedObjectName(tidB, kid))).toBe(false);
    expect(ownedBy(tidA, kid, sharedObjectName(tidB, kid), sharedObjectName(tidA, kid))).toBe(false);
  });

  it('deprovisioning removes that tenant’s objects only', async () => {
    await store.destroyTenant(tidA);
    expect(() => inspect('hsm-inspect.ts', label, pin, sharedObjectName(tidA, keyA.kid))).toThrow(/no private key/);
    expect(await s.db.selectFrom('tenant_hsm_tokens').select('tid').where('tid', '=', tidA).execute()).toEqual([]);
    expect((await store.sign(tidB, keyB, input)).length).toBe(64);
    await store.destroyTenant(tidA); // idempotent
  });
});

describe('slot pool: tokens the operator initialised, claimed and returned', () => {
  const pool = [1, 2].map(() => {
    const label = `pool-${hex()}`;
    return { label, pin: softhsm.initToken(label) };
  });
  let s: TestServices;
  let store: KeyStore;

  beforeAll(() => {
    s = openTestServices({ hsm: { mode: 'slot-pool', pool, shared: undefined, calls: 'pool' } });
    store = s.keyStores.for('pkcs11');
  });
  afterAll(async () => s.close());

  it('gives concurrent tenants distinct tokens, fails clearly when none is free, and wipes a token it takes back', async () => {
    const [t1, t2, t3] = [uniqueTid('pool-1'), uniqueTid('pool-2'), uniqueTid('pool-3')] as const;
    for (const tid of [t1, t2, t3]) await insertTenantRow(s.db, tid);
    expect(await hsmPool.free(s.db, pool)).toBe(2);
    await Promise.all([store.ensureTenant(t1), store.ensureTenant(t2), store.ensureTenant(t1)]);
    const labelOf = async (tid: string) =>
      (await s.db.selectFrom('tenant_hsm_tokens').select(['label', 'layout']).where('tid', '=', tid).executeTakeFirst())
        ?.label;
    const [l1, l2] = [await labelOf(t1), await labelOf(t2)];
    expect(new Set([l1, l2])).toEqual(new Set(pool.map((t) => t.label)));
    expect(await hsmPool.free(s.db, pool)).toBe(0);

    await expect(store.ensureTenant(t3)).rejects.toBeInstanceOf(HsmPoolExhaustedError);
    expect(await labelOf(t3)).toBeUndefined();

    const [key] = await store.generate(t1, [{ alg: 'ES256', rsaKeySize: 2048 }]);
    expect((await store.sign(t1, key!, input)).length).toBe(64);
    const pin1 = pool.find((t) => t.label === l1)!.pin;
    expect(JSON.parse(inspect('hsm-inspect.ts', l1!, pin1, key!.kid))).toMatchObject({ sensitive: true });

    await store.destroyTenant(t1);
    expect(() => inspect('hsm-inspect.ts', l1!, pin1, key!.kid)).toThrow(/no private key/);
    expect(await hsmPool.free(s.db, pool)).toBe(1);
    await expect(store.sign(t1, key!, input)).rejects.toThrow();

    // The returned token serves the next tenant, empty.
    await store.ensureTenant(t3);
    expect(await labelOf(t3)).toBe(l1);
    const [key3] = await store.generate(t3, [{ alg: 'ES256', rsaKeySize: 2048 }]);
    expect((await store.sign(t3, key3!, input)).length).toBe(64);
    await expect(store.sign(t3, key!, input)).rejects.toBeInstanceOf(KeyNotFoundError);
    for (const tid of [t2, t3]) await store.destroyTenant(tid);
    expect(await hsmPool.free(s.db, pool)).toBe(2);
  }, 60_000);
});
