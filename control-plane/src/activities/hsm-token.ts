import { ApplicationFailure } from '@temporalio/activity';
import type { KeyBackendName } from '@tessera/shared/keys/key-store';
import { HsmPoolExhaustedError } from '@tessera/shared/keys/pkcs11/hsm-pool';
import type { ActivityDeps } from './deps.ts';
import { ownsTenant } from './ownership.ts';

/** The tenant's key container: its own PKCS#11 token, a pool token or its name on the shared token (software keys need none). */
export const hsmTokenActivities = ({ db, keyStores }: ActivityDeps) => ({
  /**
   * Create if absent (KeyStore.ensureTenant is idempotent and safe to race).
   * An exhausted slot pool fails provisioning for good, with the reason the
   * tenant's status shows: retrying cannot help until the operator adds tokens.
   */
  async createHsmToken({ tid, backend }: { tid: string; backend: KeyBackendName }): Promise<void> {
    try {
      await keyStores.for(backend).ensureTenant(tid);
    } catch (err) {
      if (err instanceof HsmPoolExhaustedError)
        throw ApplicationFailure.nonRetryable(err.message, 'hsm_pool_exhausted');
      throw err;
    }
  },

  /**
   * Wipe the token and its PIN row; idempotent. With `ownerApiTokenSha256`
   * (compensation) only for a tenant the calling workflow created. Must run
   * before the tenant row goes: the PIN row cascades with it, and a token
   * without its PINs could never be wiped.
   */
  async destroyHsmToken({ tid, ownerApiTokenSha256 }: { tid: string; ownerApiTokenSha256?: string }): Promise<void> {
    if (ownerApiTokenSha256 !== undefined && !(await ownsTenant(db, tid, ownerApiTokenSha256))) return;
    const pins = await db.selectFrom('tenant_hsm_tokens').select('tid').where('tid', '=', tid).executeTakeFirst();
    // keyStores.for throws when this worker has no PKCS#11 module: retried, never silently skipped.
    if (pins) await keyStores.for('pkcs11').destroyTenant(tid);
    await keyStores.software.destroyTenant(tid);
  },
});
