import type { KeyBackendName, KeyStore } from '@tessera/shared/keys/key-store';

/**
 * The key stores a node can use, by backend (shared/src/keys/key-stores.ts;
 * in tests shared/src/keys/memory-key-store.ts). The `KeyStore` contract is
 * in shared/src/keys/key-store.ts.
 */
export interface KeyBackends {
  for(backend: KeyBackendName): KeyStore;
  forgetTenant(tid: string): void;
}
