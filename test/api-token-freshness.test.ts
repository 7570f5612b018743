import { mintApiToken, sha256Hex } from '@tessera/shared/http/api-token';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgApiTokenHashes } from '../data-plane/src/stores/api-token-hashes.ts';
import { type InProcessPlanes, softwareKeyTenant, startInProcessPlanes } from './support/planes.ts';

/**
 * An API token works at the data plane the moment the control plane has it,
 * before any node hears of the change (the console and the CLI mint one and
 * use it at once); the database is read at most once per tenant at a time.
 */
describe('API tokens newer than the cached tenant', () => {
  let planes: InProcessPlanes;
  let tid: string;
  let apiToken: string;
  const keys = (token: string) =>
    planes.dp.app.inject({
      method: 'GET',
      url: '/key-store/rest/v1/op',
      headers: { 'tenant-id': tid, authorization: `Bearer ${token}` },
    });

  beforeAll(async () => {
    planes = await startInProcessPlanes();
    ({ tid, apiToken } = await softwareKeyTenant(planes, 'fresh-token'));
  }, 60_000);
  afterAll(async () => planes?.close());

  it('serves a token written after the tenant was cached, with no change announced; refuses a revoked or unknown one', async () => {
    expect((await keys(apiToken)).statusCode).toBe(200); // the tenant is now cached with its first token
    const fresh = mintApiToken();
    const row = await planes.s.db
      .insertInto('tenant_api_tokens')
      .values({ tid, label: 'fresh', token_sha256: sha256Hex(fresh) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const served = await keys(fresh);
    expect(served.statusCode, served.body).toBe(200);
    expect(served.json().keys.length).toBeGreaterThan(0);

    await planes.s.db
      .updateTable('tenant_api_tokens')
      .set({ revoked_at: new Date() })
      .where('id', '=', row.id)
      .execute();
    const revoked = await keys(fresh);
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error).toBe('invalid_token');
    expect((await keys(mintApiToken())).statusCode).toBe(401);
  });

  it('shares one read among callers of the same moment, and paces the reads of a tenant', async () => {
    let reads = 0;
    const counting = new Proxy(planes.s.db, {
      // Methods run on the real instance (kysely keeps private fields), counting the reads.
      get(target, name) {
        const value = Reflect.get(target, name, target);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          if (name === 'selectFrom') reads++;
          return value.apply(target, args);
        };
      },
    });
    const hashes = new PgApiTokenHashes(counting);
    const since = Date.now();
    const together = await Promise.all(Array.from({ length: 20 }, () => hashes.current(tid, since)));
    expect(reads).toBe(1);
    expect(together.every((list) => list.includes(sha256Hex(apiToken)))).toBe(true);

    // Each caller after the read began needs a newer read: they queue behind it, at least 50 ms apart.
    const started = performance.now();
    await hashes.current(tid, Date.now() + 1);
    await hashes.current(tid, Date.now() + 1);
    expect(reads).toBe(3);
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
  });
});
