import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hsmSettings } from '../../src/keys/hsm-settings.ts';
import { ownedBy, sharedObjectName } from '../../src/keys/pkcs11-key-store.ts';

describe('HSM mode settings', () => {
  it('defaults to a token per tenant', () => {
    expect(hsmSettings({})).toEqual({ mode: 'token-per-tenant', pool: [], shared: undefined, calls: 'pool' });
  });

  it('calls the HSM on the thread pool unless told to call it inline', () => {
    expect(hsmSettings({ TESSERA_HSM_CALLS: 'inline' }).calls).toBe('inline');
    expect(hsmSettings({ TESSERA_HSM_CALLS: 'pool' }).calls).toBe('pool');
    expect(() => hsmSettings({ TESSERA_HSM_CALLS: 'threads' })).toThrow(/TESSERA_HSM_CALLS must be one of/);
  });

  it('reads the pool from a file (a mounted secret) or the variable, and refuses what cannot work', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'hsm-pool-')), 'pool.json');
    writeFileSync(file, JSON.stringify([{ label: 'pool-01', pin: '1234' }]));
    expect(hsmSettings({ TESSERA_HSM_MODE: 'slot-pool', TESSERA_HSM_POOL_FILE: file }).pool).toEqual([
      { label: 'pool-01', pin: '1234' },
    ]);
    expect(() => hsmSettings({ TESSERA_HSM_MODE: 'slot-pool' })).toThrow(/needs TESSERA_HSM_POOL_FILE/);
    expect(() => hsmSettings({ TESSERA_HSM_MODE: 'slot-pool', TESSERA_HSM_POOL: '{"label":"x"}' })).toThrow(
      /JSON array/,
    );
    expect(() =>
      hsmSettings({
        TESSERA_HSM_MODE: 'slot-pool',
        TESSERA_HSM_POOL: JSON.stringify([{ label: 'x'.repeat(33), pin: '1' }]),
      }),
    ).toThrow(/1 to 32 bytes/);
    expect(() =>
      hsmSettings({
        TESSERA_HSM_MODE: 'slot-pool',
        TESSERA_HSM_POOL: JSON.stringify([
          { label: 'a', pin: '1' },
          { label: 'a', pin: '2' },
        ]),
      }),
    ).toThrow(/twice/);
    expect(() => hsmSettings({ TESSERA_HSM_MODE: 'token-pool' })).toThrow(/must be one of/);
  });

  it('needs the shared token and its PIN in shared-partition mode', () => {
    expect(() => hsmSettings({ TESSERA_HSM_MODE: 'shared-partition', TESSERA_HSM_SHARED_TOKEN: 'tessera' })).toThrow(
      /TESSERA_HSM_SHARED_PIN/,
    );
    expect(
      hsmSettings({
        TESSERA_HSM_MODE: 'shared-partition',
        TESSERA_HSM_SHARED_TOKEN: 'tessera',
        TESSERA_HSM_SHARED_PIN: 'cu:secret',
      }).shared,
    ).toEqual({ label: 'tessera', pin: 'cu:secret' });
  });

  it('lets a shared-token object serve only the tenant and key both its CKA_ID and CKA_LABEL name', () => {
    const mine = sharedObjectName('acme', 'k1');
    expect(mine).toBe('tessera:acme:k1');
    expect(ownedBy('acme', 'k1', mine, mine)).toBe(true);
    expect(ownedBy('acme', 'k1', mine, sharedObjectName('evil', 'k1'))).toBe(false);
    expect(ownedBy('acme', 'k1', sharedObjectName('evil', 'k1'), mine)).toBe(false);
    expect(ownedBy('acme', 'k1', 'k1', 'k1')).toBe(false);
  });
});
