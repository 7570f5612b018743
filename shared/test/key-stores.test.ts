import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { CompactEncrypt, compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, openTestServices, type TestServices, uniqueTid } from '../../test/support/env.ts';
import { usePrivateSoftHsm } from '../../test/support/private-softhsm.ts';
import { ROOT } from '../../test/support/processes.ts';
import { insertTenantRow } from '../../test/support/tenant-rows.ts';
import { SIGNING_ALGORITHMS } from '../src/config/tenant-config.ts';
import type { HsmSettings } from '../src/keys/hsm-settings.ts';
import { decryptCompactJwe } from '../src/keys/jwe.ts';
import { currentKey, keyStatus } from '../src/keys/key-lifecycle.ts';
import { rotateKeys } from '../src/keys/key-rotation.ts';
import { type KeyBackendName, type KeyInfo, KeyNotFoundError, type KeyStore } from '../src/keys/key-store.ts';
import { type Pkcs11KeyStore, tokenLabel } from '../src/keys/pkcs11-key-store.ts';
import { publishedKeys } from '../src/keys/published-keys.ts';

// Tokens of this file's own: the pool's and the shared one are initialised here, as an operator would.
const softhsm = usePrivateSoftHsm();
const hex = () => randomBytes(4).toString('hex');

/**
 * The suite runs on every HSM mode (docs/keys.md "HSM modes") and on software keys; the token-per-tenant variant
 * calls C_Sign / C_Decrypt on the event loop (`inline`), the others on the thread pool (`pool`, the default).
 */
const VARIANTS: Array<{ name: string; short: string; backend: KeyBackendName; hsm?: () => HsmSettings }> = [
  {
    name: 'pkcs11 token-per-tenant',
    short: 'tok',
    backend: 'pkcs11',
    hsm: () => ({ mode: 'token-per-tenant', pool: [], shared: undefined, calls: 'inline' as const }),
  },
  {
    name: 'pkcs11 slot-pool',
    short: 'pool',
    backend: 'pkcs11',
    hsm: () => ({
      mode: 'slot-pool',
      pool: [1, 2, 3].map(() => {
        const label = `pool-${hex()}`;
        return { label, pin: softhsm.initToken(label) };
      }),
      shared: undefined,
      calls: 'pool',
    }),
  },
  {
    name: 'pkcs11 shared-partition',
    short: 'shr',
    backend: 'pkcs11',
    hsm: () => {
      const label = `shared-${hex()}`;
      return {
        mode: 'shared-partition',
        pool: [],
        shared: { label, pin: softhsm.initToken(label) },
        calls: 'pool',
      };
    },
  },
  { name: 'software', short: 'soft', backend: 'software' },
];

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const RSA_SIZES = { RS256: 2048, RS384: 3072, RS512: 4096, PS256: 2048, PS384: 3072, PS512: 4096 } as Record<
  string,
  2048 | 3072 | 4096
>;

const addTenant = (s: TestServices, tid: string) => insertTenantRow(s.db, tid);

async function signJws(store: KeyStore, tid: string, key: KeyInfo): Promise<string> {
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'JWT' })}.${b64({ sub: 'alice', iss: tid })}`;
  return `${input}.${Buffer.from(await store.sign(tid, key, Buffer.from(input))).toString('base64url')}`;
}

async function signAndVerify(store: KeyStore, tid: string, key: KeyInfo, jwk: unknown): Promise<void> {
  const jws = await signJws(store, tid, key);
  const { payload, protectedHeader } = await compactVerify(jws, await importJWK(jwk as never, key.alg));
  expect(protectedHeader.alg).toBe(key.alg);
  expect(JSON.parse(Buffer.from(payload).toString())).toEqual({ sub: 'alice', iss: tid });
}

describe.each(VARIANTS)('$name key store', ({ short, backend, hsm }) => {
  let s: TestServices;
  let store: KeyStore;
  const tidA = uniqueTid(`${short}-a`);
  const tidB = uniqueTid(`${short}-b`);
  let keysA: KeyInfo[];
  // RSA-4096 generation is slow in SoftHSM; the new layouts do not depend on the modulus size.
  const rsaSize = (alg: string) => (short === 'tok' || short === 'soft' ? (RSA_SIZES[alg] ?? 2048) : 2048);

  beforeAll(async () => {
    s = openTestServices(hsm ? { hsm: hsm() } : {});
    store = s.keyStores.for(backend);
    for (const tid of [tidA, tidB]) {
      await addTenant(s, tid);
      await store.ensureTenant(tid);
    }
    await store.ensureTenant(tidA); // idempotent
    keysA = await store.generate(tidA, [
      ...SIGNING_ALGORITHMS.map((alg) => ({ alg, rsaKeySize: rsaSize(alg) })),
      { alg: 'RSA-OAEP', rsaKeySize: 2048 },
      { alg: 'RSA-OAEP-256', rsaKeySize: 2048 },
    ]);
  }, 120_000);
  afterAll(async () => s.close());

  it('signs with every algorithm; jose verifies each JWS against the published key', async () => {
    if (backend === 'pkcs11') expect((store as Pkcs11KeyStore).inlineCalls).toBe(short === 'tok');
    const published = await publishedKeys(s.db, tidA);
    expect(published.map((k) => k.alg).sort()).toEqual([...SIGNING_ALGORITHMS, 'RSA-OAEP', 'RSA-OAEP-256'].sort());
    for (const key of keysA.filter((k) => k.use === 'sig')) {
      expect(key.backend).toBe(backend);
      await signAndVerify(store, tidA, key, published.find((p) => p.kid === key.kid)!.jwk);
    }
  });

  it('decrypts a JWE encrypted to the tenant’s encryption keys', async () => {
    for (const [alg, enc] of [
      ['RSA-OAEP-256', 'A256GCM'],
      ['RSA-OAEP', 'A128CBC-HS256'],
    ] as const) {
      const key = keysA.find((k) => k.alg === alg)!;
      const jwe = await new CompactEncrypt(Buffer.from('{"request":"object"}'))
        .setProtectedHeader({ alg, enc, kid: key.kid })
        .encrypt(await importJWK(key.jwk as never, alg));
      const { plaintext } = await decryptCompactJwe(store, tidA, jwe);
      expect(plaintext.toString()).toBe('{"request":"object"}');
      const tampered = jwe.slice(0, -3) + (jwe.endsWith('AAA') ? 'BBB' : 'AAA');
      await expect(decryptCompactJwe(store, tidA, tampered)).rejects.toThrow();
    }
  });

  it("never signs or decrypts with another tenant's key, nor with a key under another algorithm", async () => {
    const [keyOfB] = await store.generate(tidB, [{ alg: 'ES256', rsaKeySize: 2048 }]);
    await expect(store.sign(tidA, keyOfB!, Buffer.from('x.y'))).rejects.toBeInstanceOf(KeyNotFoundError);
    const es256 = keysA.find((k) => k.alg === 'ES256')!;
    await expect(store.sign(tidA, { kid: es256.kid, alg: 'RS256' }, Buffer.from('x.y'))).rejects.toBeInstanceOf(
      KeyNotFoundError,
    );
    const enc = keysA.find((k) => k.alg === 'RSA-OAEP-256')!;
    await expect(store.sign(tidA, enc, Buffer.from('x.y'))).rejects.toBeInstanceOf(KeyNotFoundError);
    await expect(store.decrypt(tidB, enc, Buffer.alloc(256))).rejects.toBeInstanceOf(KeyNotFoundError);
  });

  it('rotates: new keys are published first, sign once activated, and old tokens still verify', async () => {
    const before = currentKey(await publishedKeys(s.db, tidA), 'EdDSA')!;
    const oldJws = await signJws(store, tidA, before);
    const [fresh] = await rotateKeys(s.db, store, tidA, [{ alg: 'EdDSA', rsaKeySize: 2048 }], 1);
    let published = await publishedKeys(s.db, tidA);
    expect(published.find((k) => k.kid === fresh!.kid)?.status).toBe('pending');
    expect(currentKey(published, 'EdDSA')!.kid).toBe(before.kid);
    store.forgetTenant(tidA);
    await expect(store.sign(tidA, fresh!, Buffer.from('a.b'))).rejects.toBeInstanceOf(KeyNotFoundError);
    await eventually(
      () => keyStatus(fresh!, new Date()),
      (status) => status === 'active',
      3000,
    );
    published = await publishedKeys(s.db, tidA);
    expect(currentKey(published, 'EdDSA')!.kid).toBe(fresh!.kid);
    expect(published.find((k) => k.kid === before.kid)?.status).toBe('retired');
    store.forgetTenant(tidA);
    await signAndVerify(store, tidA, fresh!, fresh!.jwk);
    // a token signed before the rotation still verifies against the (retired, still published) key
    const stillPublished = published.find((k) => k.kid === before.kid)!;
    await expect(compactVerify(oldJws, await importJWK(stillPublished.jwk as never, 'EdDSA'))).resolves.toMatchObject({
      protectedHeader: { alg: 'EdDSA', kid: before.kid },
    });
  });
});

describe('SoftHSM tokens (one per tenant, keys that never leave)', () => {
  let s: TestServices;
  beforeAll(() => {
    s = openTestServices();
  });
  afterAll(async () => s.close());

  it('gives every tenant its own labelled token with its own PIN, and private keys that cannot be read', async () => {
    const tids = [uniqueTid('hsm-x'), uniqueTid('hsm-y')];
    const store = s.keyStores.for('pkcs11');
    const kids: string[] = [];
    for (const tid of tids) {
      await addTenant(s, tid);
      await store.ensureTenant(tid);
      kids.push((await store.generate(tid, [{ alg: 'ES256', rsaKeySize: 2048 }]))[0]!.kid);
    }
    const rows = await s.db.selectFrom('tenant_hsm_tokens').selectAll().where('tid', 'in', tids).execute();
    expect(rows).toHaveLength(2);
    expect(rows[0]!.user_pin_sealed).not.toBe(rows[1]!.user_pin_sealed);

    // The token directory holds one token per tenant; softhsm2-util shows their labels.
    const tokenDirs = readdirSync(softhsm.tokenDir);
    const slots = execFileSync('softhsm2-util', ['--show-slots'], { encoding: 'utf8' });
    for (const tid of tids) expect(slots).toContain(`Label:            ${tokenLabel(tid)}`);
    expect(tokenDirs.length).toBeGreaterThanOrEqual(tids.length);

    for (const [i, tid] of tids.entries()) {
      const row = rows.find((r) => r.tid === tid)!;
      const pin = s.masterKey.open(row.user_pin_sealed!, `tessera:hsm-pin:user:${tid}`).toString();
      const out = execFileSync(
        process.execPath,
        ['--import', 'tsx', join(ROOT, 'test/support/hsm-inspect.ts'), row.label, pin, kids[i]!],
        { encoding: 'utf8', cwd: ROOT },
      );
      const attrs = JSON.parse(out) as Record<string, unknown>;
      expect(attrs).toMatchObject({
        sensitive: true,
        extractable: false,
        alwaysSensitive: true,
        neverExtractable: true,
      });
      expect(attrs.value).toMatch(/^refused: CKR_ATTRIBUTE_SENSITIVE/);
      // the other tenant's PIN does not open this token
      const otherPin = s.masterKey
        .open(
          rows.find((r) => r.tid !== tid)!.user_pin_sealed!,
          `tessera:hsm-pin:user:${rows.find((r) => r.tid !== tid)!.tid}`,
        )
        .toString();
      expect(() =>
        execFileSync(
          process.execPath,
          ['--import', 'tsx', join(ROOT, 'test/support/hsm-inspect.ts'), row.label, otherPin, kids[i]!],
          { cwd: ROOT, stdio: 'pipe' },
        ),
      ).toThrow(/CKR_PIN_INCORRECT/);
    }
  }, 60_000);
});
