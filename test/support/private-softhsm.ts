import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A SoftHSM token directory of this test file's own. SoftHSM reads
 * SOFTHSM2_CONF when the library initialises, so call this at the top of the
 * file, before anything opens the PKCS#11 module (each test file runs in a
 * process of its own). Child processes inherit it.
 */
export function usePrivateSoftHsm(): {
  tokenDir: string;
  /** Initialise a token as an operator would ahead of Tessera (softhsm2-util); returns its user PIN. */
  initToken(label: string): string;
} {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-softhsm-'));
  const tokenDir = join(dir, 'tokens');
  mkdirSync(tokenDir);
  writeFileSync(
    join(dir, 'softhsm2.conf'),
    `directories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  process.env.SOFTHSM2_CONF = join(dir, 'softhsm2.conf');
  process.env.SOFTHSM_TOKEN_DIR = tokenDir;
  return {
    tokenDir,
    initToken(label) {
      const pin = randomBytes(12).toString('hex');
      execFileSync(
        'softhsm2-util',
        ['--init-token', '--free', '--label', label, '--so-pin', randomBytes(12).toString('hex'), '--pin', pin],
        { stdio: 'pipe' },
      );
      return pin;
    },
  };
}
