import { afterAll, beforeAll, describe } from 'vitest';
import { accessTokenStoreContract } from './access-token-store.contract.ts';
import { authorizationCodeStoreContract } from './authorization-code-store.contract.ts';
import { authorizationStoreContract } from './authorization-store.contract.ts';
import { authzSessionStoreContract } from './authz-session-store.contract.ts';
import { clientStoreContract } from './client-store.contract.ts';
import { deviceRequestStoreContract } from './device-request-store.contract.ts';
import { guessingBrakeContract } from './guessing-brake.contract.ts';
import { keyStoreContract } from './key-store.contract.ts';
import { logoutSessionStoreContract } from './logout-session-store.contract.ts';
import { pushedRequestStoreContract } from './pushed-request-store.contract.ts';
import { refreshTokenStoreContract } from './refresh-token-store.contract.ts';
import { replayCacheContract } from './replay-cache.contract.ts';
import { revocationJournalContract } from './revocation-journal.contract.ts';
import type { Contract, StoreSubject } from './store-subject.ts';
import { subjectSessionStoreContract } from './subject-session-store.contract.ts';
import { userDirectoryContract } from './user-directory.contract.ts';

/** Every store contract (one per port); a new port adds its contract here. */
export const STORE_CONTRACTS: readonly Contract[] = [
  accessTokenStoreContract,
  refreshTokenStoreContract,
  authorizationStoreContract,
  authorizationCodeStoreContract,
  subjectSessionStoreContract,
  authzSessionStoreContract,
  logoutSessionStoreContract,
  pushedRequestStoreContract,
  deviceRequestStoreContract,
  replayCacheContract,
  revocationJournalContract,
  clientStoreContract,
  userDirectoryContract,
  guessingBrakeContract,
  keyStoreContract,
];

/** Run every contract against one implementation of the ports. */
export function runStoreContracts(name: string, open: () => Promise<StoreSubject & { close(): Promise<void> }>): void {
  describe(name, () => {
    let subject: (StoreSubject & { close(): Promise<void> }) | undefined;
    beforeAll(async () => {
      subject = await open();
    });
    afterAll(async () => subject?.close());
    for (const contract of STORE_CONTRACTS) contract(() => subject!);
  });
}
