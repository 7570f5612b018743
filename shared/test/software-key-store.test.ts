import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compactVerify, importJWK } from 'jose';
import { openTestServices, uniqueTid, type TestServices } from '../../test/support/env.ts';
import { SIGNING_ALGORITHMS } from '../src/config/tenant-config.ts';
import { KeyNotFoundError } from '../src/keys/key-store.ts';
import { publishedKeys } from '../src/keys/published-keys.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

describe('software key store (PostgreSQL)', () => {
  let s: TestServices;
  const tidA = uniqueTid('keys-a');
  const tidB = uniqueTid('keys-b');

  beforeAll(async () => {
    s = openTestServices();
    for (const tid of [tidA, tidB]) {
      await s.db
        .insertInto('tenants')
        .values({ tid, name: tid, issuer: `https://${tid}.example.com`, status: 'active', plan: 'free', attrs: '{}', config_version: 1, status_reason: null })
        .execute();
      await s.db.insertInto('tenant_configs').values({ tid, version: 1, config: '{}' }).execute();
    }
  });
  afterAll(async () => s.close());

  it('signs with every algorithm; jose verifies against the published public key', async () => {
    const keys = await s.keyStore.generate(tidA, SIGNING_ALGORITHMS, { rsaKeySize: 2048, status: 'active' });
    expect(keys.map((k) => k.alg).sort()).toEqual([...SIGNING_ALGORITHMS].sort());
    const published = await publishedKeys(s.db, tidA);
    for (const key of keys) {
      const jwk = published.find((p) => p.kid === key.kid)!.jwk;
      const input = `${b64({ alg: key.alg, kid: key.kid })}.${b64({ sub: 'x' })}`;
      const signature = await s.keyStore.sign(tidA, key.kid, Buffer.from(input));
      const jws = `${input}.${Buffer.from(signature).toString('base64url')}`;
      const { payload } = await compactVerify(jws, await importJWK(jwk, key.alg));
      expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ sub: 'x' });
    }
  });

  it('stores private parts sealed, never in the clear, and kids as RFC 7638 thumbprints', async () => {
    const rows = await s.db.selectFrom('tenant_keys').selectAll().where('tid', '=', tidA).execute();
    expect(rows.length).toBe(SIGNING_ALGORITHMS.length);
    for (const row of rows) {
      expect(row.private_sealed).toMatch(/^v1\./);
      expect(row.private_sealed).not.toContain('PRIVATE KEY');
      expect(Object.keys(row.public_jwk)).not.toContain('d');
      expect(row.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    }
  });

  it("never signs with another tenant's key", async () => {
    const [keyOfB] = await s.keyStore.generate(tidB, ['ES256'], { rsaKeySize: 2048, status: 'active' });
    await expect(s.keyStore.sign(tidA, keyOfB!.kid, Buffer.from('x.y'))).rejects.toBeInstanceOf(KeyNotFoundError);
    // and a sealed value copied into tenant A's row does not open there
    const row = await s.db.selectFrom('tenant_keys').selectAll().where('tid', '=', tidB).executeTakeFirstOrThrow();
    await s.db
      .insertInto('tenant_keys')
      .values({ ...row, tid: tidA, public_jwk: JSON.stringify(row.public_jwk) })
      .execute();
    await expect(s.keyStore.sign(tidA, row.kid, Buffer.from('x.y'))).rejects.toThrow();
  });
});
