import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { KeyNotFoundError } from '@tessera/shared/keys/key-store';
import { sharedObjectName } from '@tessera/shared/keys/pkcs11-key-store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uniqueTid } from './support/env.ts';
import { type InProcessPlanes, startInProcessPlanes } from './support/planes.ts';
import { usePrivateSoftHsm } from './support/private-softhsm.ts';
import { ROOT } from './support/processes.ts';

// The one shared token, initialised ahead in a SoftHSM of this file's own, as an operator would.
const softhsm = usePrivateSoftHsm();
const label = `shared-${randomBytes(4).toString('hex')}`;
const shared = { label, pin: softhsm.initToken(label) };
const input = Buffer.from('a.b');

/**
 * TESSERA_HSM_MODE=shared-partition through the provisioning and
 * deprovisioning workflows on the real Temporal dev server: two tenants
 * provisioned at once share the token, each signs only with its own keys,
 * and deleting one leaves the other's keys in place.
 */
describe('shared-partition HSM mode: tenants provisioned on one token, kept apart', () => {
  let planes: InProcessPlanes;

  beforeAll(async () => {
    planes = await startInProcessPlanes({
      settings: { hsm: { mode: 'shared-partition', pool: [], shared, calls: 'pool' } },
    });
  });
  afterAll(async () => planes?.close());

  it('provisions two tenants on the shared token; neither can use the other’s key; deleting one keeps the other', async () => {
    const [a, b] = await Promise.all(
      [uniqueTid('shrp-a'), uniqueTid('shrp-b')].map((tid) =>
        planes.createTenant({ tid, name: 'Shared', issuer: `${planes.dataPlaneUrl}/${tid}` }),
      ),
    );
    const rows = await planes.s.db
      .selectFrom('tenant_hsm_tokens')
      .select(['label', 'layout'])
      .where('tid', 'in', [a!.tid, b!.tid])
      .execute();
    expect(rows).toEqual([
      { label, layout: 'shared' },
      { label, layout: 'shared' },
    ]);
    const es256 = async (tid: string) =>
      planes.s.db
        .selectFrom('tenant_keys')
        .select(['kid', 'alg'])
        .where('tid', '=', tid)
        .where('alg', '=', 'ES256')
        .executeTakeFirstOrThrow() as Promise<{ kid: string; alg: 'ES256' }>;
    const [keyA, keyB] = [await es256(a!.tid), await es256(b!.tid)];
    const store = planes.s.keyStores.for('pkcs11');
    expect((await store.sign(a!.tid, keyA, input)).length).toBe(64);
    expect((await store.sign(b!.tid, keyB, input)).length).toBe(64);
    await expect(store.sign(b!.tid, keyA, input)).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(store.sign(a!.tid, keyB, input)).rejects.toBeInstanceOf(KeyNotFoundError);

    const del = await planes.cp.inject({
      method: 'DELETE',
      url: `/tenants/rest/v1/${a!.tid}?wait=true`,
      headers: { authorization: `Bearer ${planes.s.operatorKey}` },
    });
    expect(del.statusCode).toBe(204);
    const inspect = (kidName: string) =>
      execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/support/hsm-inspect.ts'), label, shared.pin, kidName],
        { cwd: ROOT, stdio: 'pipe', encoding: 'utf8' },
      );
    expect(() => inspect(sharedObjectName(a!.tid, keyA.kid))).toThrow(/no private key/);
    expect(JSON.parse(inspect(sharedObjectName(b!.tid, keyB.kid)))).toMatchObject({ sensitive: true });
    expect((await store.sign(b!.tid, keyB, input)).length).toBe(64);
    const doc = await fetch(`${b!.tenant.issuer as string}/.well-known/openid-configuration`);
    expect(doc.status).toBe(200);
  }, 90_000);
});
