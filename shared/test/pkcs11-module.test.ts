import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requireTestRun } from '../../test/support/env.ts';
import { Pkcs11Module, pkcs11js } from '../src/keys/pkcs11/pkcs11-module.ts';
import { TokenSessions } from '../src/keys/pkcs11/token-sessions.ts';
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

  it('moves a waiting call to where the token is after it: a token made in this process changes slot', async () => {
    const module = new Pkcs11Module(loadSettings().pkcs11Module!);
    try {
      const label = `own-${randomBytes(4).toString('hex')}`;
      const pin = randomBytes(8).toString('hex');
      await module.use((lib) => {
        const free = module.freeSlot()!;
        lib.C_InitToken(free, pin, label);
        module.refreshSlots();
        const session = lib.C_OpenSession(
          module.knownSlot(label)!,
          pkcs11js.CKF_SERIAL_SESSION | pkcs11js.CKF_RW_SESSION,
        );
        lib.C_Login(session, pkcs11js.CKU_SO, pin);
        lib.C_InitPIN(session, pin);
        lib.C_CloseSession(session);
      });
      // SoftHSM numbers the new token by position until the next C_Initialize, then by its serial number.
      const provisional = module.knownSlot(label)!;
      const sessions = new TokenSessions(module, label, pin, 2);
      // The call finds the token's slot, then waits for the rescan begun meanwhile.
      const info = sessions.run(async (lib, session) => lib.C_GetSessionInfo(session));
      const rescanned = module.rescan();
      expect((await info).slotID).toEqual(module.knownSlot(label));
      await rescanned;
      expect(module.knownSlot(label)).not.toEqual(provisional);
    } finally {
      module.close();
    }
  }, 60_000);
});
