import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestServices, type TestServices, uniqueTid } from '../../test/support/env.ts';
import { insertTenantRow } from '../../test/support/tenant-rows.ts';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/**
 * Creating a tenant's token makes this process re-read the HSM's slots
 * (C_Finalize + C_Initialize), which invalidates every object handle it
 * holds. A key being generated for another tenant at that moment must still
 * end up bound to its kid and usable.
 */
describe('PKCS#11 key store: a rescan while a key is being generated', () => {
  let s: TestServices;

  beforeAll(() => {
    s = openTestServices();
  });
  afterAll(async () => s.close());

  const addTenant = (tid: string) => insertTenantRow(s.db, tid);

  it('binds the new key to its kid and signs with it', async () => {
    const store = s.keyStores.for('pkcs11');
    const tidA = uniqueTid('resc-a');
    const tidB = uniqueTid('resc-b');
    await addTenant(tidA);
    await addTenant(tidB);
    await store.ensureTenant(tidA);
    await new Promise((r) => setTimeout(r, 300)); // past the rescan throttle
    // RSA-4096 generation takes long enough in SoftHSM for the other tenant's token to be created meanwhile.
    const generating = store.generate(tidA, [{ alg: 'RS256', rsaKeySize: 4096 }]);
    await new Promise((r) => setTimeout(r, 20));
    await store.ensureTenant(tidB);
    const [key] = await generating;
    const input = `${b64({ alg: 'RS256', kid: key!.kid })}.${b64({ sub: 'alice' })}`;
    const jws = `${input}.${Buffer.from(await store.sign(tidA, key!, Buffer.from(input))).toString('base64url')}`;
    const { payload } = await compactVerify(jws, await importJWK(key!.jwk as never, 'RS256'));
    expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ sub: 'alice' });
  }, 120_000);
});
