import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClientStore } from '../shared/src/clients/client-store.ts';
import { MasterKey } from '../shared/src/crypto/master-key.ts';
import { resealAll } from '../shared/src/crypto/reseal.ts';
import type { KeyInfo } from '../shared/src/keys/key-store.ts';
import { pinContext } from '../shared/src/keys/pkcs11-key-store.ts';
import { SoftwareKeyStore } from '../shared/src/keys/software-key-store.ts';
import { ensureTenantSecrets, openTenantSecrets } from '../shared/src/keys/tenant-secrets.ts';
import { TenantSecretStore } from '../shared/src/plugins/tenant-secret-store.ts';
import { openTestServices, type TestServices, uniqueTid } from './support/env.ts';
import { ROOT } from './support/processes.ts';
import { insertTenantRow } from './support/tenant-rows.ts';

const A = randomBytes(32);
const B = randomBytes(32);
const CLIENT_SECRET = randomBytes(32).toString('base64url');
const HASHED_SECRET = 'scrypt$16384$8$1$c2FsdA$aGFzaA';
const PLUGIN_SECRET = 'plugin-secret-value';
const SO_PIN = '12345678';
const USER_PIN = '87654321';

/** What a process holding `masterKey` reads back of the tenant's sealed data (each store fresh: no cache from before). */
async function readAll(s: TestServices, masterKey: MasterKey, tid: string, key: KeyInfo) {
  const client = await new ClientStore(s.db, masterKey).get(tid, 'app');
  const tenantSecrets = await openTenantSecrets(s.db, masterKey, tid);
  const store = new SoftwareKeyStore(s.db, masterKey);
  const input = `${Buffer.from(JSON.stringify({ alg: key.alg, kid: key.kid })).toString('base64url')}.${Buffer.from('{"sub":"x"}').toString('base64url')}`;
  const signature = Buffer.from(await store.sign(tid, key, Buffer.from(input))).toString('base64url');
  const { payload } = await compactVerify(`${input}.${signature}`, await importJWK(key.jwk as never, key.alg));
  const pluginSecret = await new TenantSecretStore(s.db, masterKey).get(tid, 'crm-api-key');
  const pins = await s.db
    .selectFrom('tenant_hsm_tokens')
    .select(['so_pin_sealed', 'user_pin_sealed'])
    .where('tid', '=', tid)
    .executeTakeFirstOrThrow();
  return {
    clientSecret: client?.secret,
    previousClientSecret: client?.previousSecret,
    tenantSecrets: Object.fromEntries(Object.entries(tenantSecrets).map(([k, v]) => [k, v.toString('base64url')])),
    signed: new TextDecoder().decode(payload),
    pluginSecret,
    soPin: masterKey.open(pins.so_pin_sealed!, pinContext(tid, 'so')).toString(),
    userPin: masterKey.open(pins.user_pin_sealed!, pinContext(tid, 'user')).toString(),
  };
}

/** Every sealed value of the tenant, as stored. */
async function sealedValues(s: TestServices, tid: string): Promise<string[]> {
  const [keys, tokens, secrets, plugin, clients] = await Promise.all([
    s.db.selectFrom('tenant_keys').select('private_sealed').where('tid', '=', tid).execute(),
    s.db.selectFrom('tenant_hsm_tokens').select(['so_pin_sealed', 'user_pin_sealed']).where('tid', '=', tid).execute(),
    s.db.selectFrom('tenant_secrets').select('sealed').where('tid', '=', tid).execute(),
    s.db.selectFrom('tenant_plugin_secrets').select(['sealed', 'previous_sealed']).where('tid', '=', tid).execute(),
    s.db.selectFrom('clients').select(['secret_sealed', 'previous_secret_sealed']).where('tid', '=', tid).execute(),
  ]);
  return [...keys, ...tokens, ...secrets, ...plugin, ...clients]
    .flatMap((row) => Object.values(row) as Array<string | null>)
    .filter((v): v is string => v !== null && !v.startsWith('scrypt$'));
}

/** The re-seal command as an operator runs it (a child process), with the given keys; its exit code and output. */
async function runReseal(keys: { current: Buffer; previous?: Buffer }, args: string[]) {
  const env: NodeJS.ProcessEnv = { ...process.env, TESSERA_MASTER_KEY: keys.current.toString('base64url') };
  delete env.TESSERA_MASTER_KEY_FILE;
  delete env.TESSERA_MASTER_KEY_PREVIOUS_FILE;
  if (keys.previous) env.TESSERA_MASTER_KEY_PREVIOUS = keys.previous.toString('base64url');
  else delete env.TESSERA_MASTER_KEY_PREVIOUS;
  try {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'shared/src/crypto/reseal-main.ts', ...args],
      { cwd: ROOT, env },
    );
    return { code: 0, out: JSON.parse(stdout) };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, out: e.stdout ? JSON.parse(e.stdout) : undefined, stderr: e.stderr };
  }
}

describe('rotating the master key', () => {
  let s: TestServices;
  let tid: string;
  let key: KeyInfo;
  let before: Awaited<ReturnType<typeof readAll>>;

  beforeAll(async () => {
    s = openTestServices();
    tid = uniqueTid('mk-rotation');
    await insertTenantRow(s.db, tid);
    // Everything sealed under key A, as a deployment that has only ever had A.
    const a = new MasterKey(A);
    await ensureTenantSecrets(s.db, a, tid);
    const [generated] = await new SoftwareKeyStore(s.db, a).generate(tid, [{ alg: 'ES256', rsaKeySize: 2048 }]);
    key = generated!;
    const clients = new ClientStore(s.db, a);
    await clients.create(tid, {
      clientId: 'app',
      metadata: { token_endpoint_auth_method: 'client_secret_basic' } as never,
      secret: 'old-secret',
      secretExpiresAt: null,
      registrationTokenSha256: null,
    });
    // A rotated secret: the old one moves to previous_secret_sealed.
    await clients.update(tid, 'app', { metadata: {} as never, newSecret: CLIENT_SECRET });
    await clients.create(tid, {
      clientId: 'hashed',
      metadata: {} as never,
      secret: null,
      secretHash: HASHED_SECRET,
      secretExpiresAt: null,
      registrationTokenSha256: null,
    });
    await new TenantSecretStore(s.db, a).set(tid, 'crm-api-key', PLUGIN_SECRET);
    await s.db
      .insertInto('tenant_hsm_tokens')
      .values({
        tid,
        label: `mk-${randomBytes(6).toString('hex')}`,
        layout: 'token',
        so_pin_sealed: a.seal(Buffer.from(SO_PIN), pinContext(tid, 'so')),
        user_pin_sealed: a.seal(Buffer.from(USER_PIN), pinContext(tid, 'user')),
      })
      .execute();
    before = await readAll(s, a, tid, key);
  });

  afterAll(async () => {
    await s?.close();
  });

  it('wrote every value under key A', async () => {
    expect(before).toMatchObject({
      clientSecret: CLIENT_SECRET,
      previousClientSecret: 'old-secret',
      pluginSecret: PLUGIN_SECRET,
      soPin: SO_PIN,
      userPin: USER_PIN,
      signed: '{"sub":"x"}',
    });
    expect(Object.keys(before.tenantSecrets)).toHaveLength(4);
    const values = await sealedValues(s, tid);
    expect(values).toHaveLength(1 + 2 + 4 + 1 + 2);
    for (const v of values) expect(new MasterKey(A).isCurrent(v)).toBe(true);
  });

  it('reads everything with B current and A previous, re-seals it under B, and then needs only B', async () => {
    const rotated = new MasterKey(B, [A]);
    expect(await readAll(s, rotated, tid, key)).toEqual(before);
    // Still refused without A: nothing has moved yet.
    await expect(readAll(s, new MasterKey(B), tid, key)).rejects.toThrow(/unknown master key/);

    const counts = await resealAll(s.db, rotated, { tid, batchSize: 2 });
    expect(counts).toEqual({
      tenant_keys: { resealed: 1, current: 0, unreadable: 0 },
      tenant_hsm_tokens: { resealed: 2, current: 0, unreadable: 0 },
      tenant_secrets: { resealed: 4, current: 0, unreadable: 0 },
      tenant_plugin_secrets: { resealed: 1, current: 0, unreadable: 0 },
      clients: { resealed: 2, current: 0, unreadable: 0 },
    });
    for (const v of await sealedValues(s, tid)) expect(rotated.isCurrent(v)).toBe(true);
    // The hashed secret was left as it was.
    const hashed = await s.db
      .selectFrom('clients')
      .select('secret_sealed')
      .where('tid', '=', tid)
      .where('client_id', '=', 'hashed')
      .executeTakeFirstOrThrow();
    expect(hashed.secret_sealed).toBe(HASHED_SECRET);

    // Idempotent: a second run finds everything current and writes nothing.
    const again = await resealAll(s.db, rotated, { tid });
    expect(Object.values(again).reduce((n, c) => n + c.resealed + c.unreadable, 0)).toBe(0);
    expect(again.tenant_secrets).toEqual({ resealed: 0, current: 4, unreadable: 0 });

    expect(await readAll(s, new MasterKey(B), tid, key)).toEqual(before);
    await expect(readAll(s, new MasterKey(A), tid, key)).rejects.toThrow(/unknown master key/);
    // The values stay bound to their owner under the new key: another tenant's context does not open them.
    const [one] = await sealedValues(s, tid);
    expect(() => new MasterKey(B).open(one!, pinContext(`${tid}-other`, 'so'))).toThrow();
  });

  it('counts a value no held key opens as unreadable and leaves it as it is', async () => {
    const other = uniqueTid('mk-rotation-c');
    await insertTenantRow(s.db, other);
    const c = new MasterKey(randomBytes(32));
    await ensureTenantSecrets(s.db, c, other);
    const stored = await sealedValues(s, other);
    const counts = await resealAll(s.db, new MasterKey(B, [A]), { tid: other });
    expect(counts.tenant_secrets).toEqual({ resealed: 0, current: 0, unreadable: 4 });
    expect(await sealedValues(s, other)).toEqual(stored);
  });

  it('re-seals one tenant from the command line, and exits 1 when a value opens with no key held', async () => {
    const cli = uniqueTid('mk-rotation-cli');
    await insertTenantRow(s.db, cli);
    await ensureTenantSecrets(s.db, new MasterKey(A), cli);
    const secrets = await openTenantSecrets(s.db, new MasterKey(A), cli);

    const run = await runReseal({ current: B, previous: A }, [`--tenant=${cli}`, '--batch-size=3']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.out).toMatchObject({ reseal: 'done', kid: new MasterKey(B).kid });
    expect(run.out.tables.tenant_secrets).toEqual({ resealed: 4, current: 0, unreadable: 0 });
    expect(await openTenantSecrets(s.db, new MasterKey(B), cli)).toEqual(secrets);

    const wrong = await runReseal({ current: randomBytes(32) }, [`--tenant=${cli}`]);
    expect(wrong.code).toBe(1);
    expect(wrong.out).toMatchObject({ reseal: 'incomplete', tables: { tenant_secrets: { unreadable: 4 } } });
    expect(await openTenantSecrets(s.db, new MasterKey(B), cli)).toEqual(secrets);

    expect((await runReseal({ current: B }, ['--batch-size=0'])).code).toBe(64);
  }, 60_000);
});
