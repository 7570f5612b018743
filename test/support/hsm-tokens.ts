import { execFileSync } from 'node:child_process';
import { tokenLabel } from '@tessera/shared/keys/pkcs11-key-store';

/**
 * How many initialised SoftHSM tokens carry this tenant's label, as
 * `softhsm2-util` (a process of its own, reading the run's token directory)
 * sees them — not what this process's PKCS#11 library has cached.
 */
export function hsmTokensOf(tid: string): number {
  const slots = execFileSync('softhsm2-util', ['--show-slots'], { encoding: 'utf8' });
  const label = tokenLabel(tid);
  return slots
    .split('\n')
    .filter((line) => /^\s*Label:/.test(line) && line.replace(/^\s*Label:\s*/, '').trim() === label).length;
}
