import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requireTestRun } from '../../test/support/env.ts';
import { Pkcs11Module } from '../src/keys/pkcs11/pkcs11-module.ts';
import { loadSettings } from '../src/settings.ts';

/**
 * SoftHSM builds its slot list at C_Initialize, so a token another process
 * made is only seen after C_Finalize + C_Initialize, which re-reads every
 * token directory (hundreds of ms with hundreds of tokens). This file's
 * process loads the library once, here only.
 */
describe('PKCS#11 module: a rescan', () => {
  requireTestRun();
  it('finds a token another process made, re-initialising on a thread while the event loop keeps turning', async () => {
    const module = new Pkcs11Module(loadSettings().pkcs11Module!);
    try {
      const label = `other-${randomBytes(4).toString('hex')}`;
      const pin = randomBytes(8).toString('hex');
      execFileSync('softhsm2-util', ['--init-token', '--free', '--label', label, '--so-pin', pin, '--pin', pin]);
      let turns = 0;
      let spinning = true;
      const spin = () => {
        turns += 1;
        if (spinning) setImmediate(spin);
      };
      setImmediate(spin);
      const rescanning = module.rescan();
      expect(module.rescanningFor).not.toBeNull();
      const generation = module.generation;
      await rescanning;
      spinning = false;
      expect(turns).toBeGreaterThan(0);
      expect(module.rescanningFor).toBeNull();
      expect(module.generation).toBe(generation + 1);
      expect(await module.slotOf(label)).toBeDefined();
    } finally {
      module.close();
    }
  }, 60_000);
});
