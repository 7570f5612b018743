import type { TenantConfig } from '../config/tenant-config.ts';
import type { MasterKey } from '../crypto/master-key.ts';
import type { Db } from '../db/database.ts';
import type { HsmSettings } from './hsm-settings.ts';
import { type KeyBackendName, type KeySpec, type KeyStore, KeyStoreUnavailableError } from './key-store.ts';
import { Pkcs11Module } from './pkcs11/pkcs11-module.ts';
import { Pkcs11KeyStore } from './pkcs11-key-store.ts';
import { SoftwareKeyStore } from './software-key-store.ts';

/**
 * The key stores of this process: always software, PKCS#11 when a module is
 * configured. A tenant's config names its backend; each key row names the
 * backend that holds it.
 */
export class KeyStores {
  readonly software: SoftwareKeyStore;
  readonly pkcs11: Pkcs11KeyStore | undefined;
  readonly #module: Pkcs11Module | undefined;
  /** Why the configured PKCS#11 module could not be used; the node keeps serving software tenants. */
  readonly #pkcs11Failure: string | undefined;
  readonly #pkcs11Configured: boolean;

  constructor(
    db: Db,
    masterKey: MasterKey,
    options: { pkcs11Module?: string | undefined; sessionsPerToken?: number; hsm?: HsmSettings } = {},
  ) {
    this.software = new SoftwareKeyStore(db, masterKey);
    this.#pkcs11Configured = Boolean(options.pkcs11Module);
    if (options.pkcs11Module) {
      try {
        this.#module = new Pkcs11Module(options.pkcs11Module);
        this.pkcs11 = new Pkcs11KeyStore(db, masterKey, this.#module, {
          sessionsPerToken: options.sessionsPerToken ?? 4,
          ...(options.hsm ? { hsm: options.hsm } : {}),
        });
      } catch (err) {
        this.#pkcs11Failure = `the PKCS#11 module ${options.pkcs11Module} cannot be used: ${err instanceof Error ? err.message : String(err)}`;
      }
    }
  }

  /** The backend new tenants get when their config does not say: the HSM wherever one is configured. */
  get defaultBackend(): KeyBackendName {
    return this.#pkcs11Configured ? 'pkcs11' : 'software';
  }

  for(backend: KeyBackendName): KeyStore {
    if (backend === 'software') return this.software;
    if (!this.pkcs11)
      throw new KeyStoreUnavailableError(this.#pkcs11Failure ?? 'no PKCS#11 module is configured on this node');
    return this.pkcs11;
  }

  /** The health check of the HSM, when one is configured (undefined otherwise). */
  hsmCheck(): (() => Promise<void>) | undefined {
    if (!this.#pkcs11Configured) return undefined;
    return async () => {
      if (!this.pkcs11) throw new Error(this.#pkcs11Failure ?? 'PKCS#11 unavailable');
      await this.pkcs11.health();
    };
  }

  forgetTenant(tid: string): void {
    this.software.forgetTenant(tid);
    this.pkcs11?.forgetTenant(tid);
  }

  close(): void {
    this.#module?.close();
  }
}

/** One key per configured signing and encryption algorithm. */
export function keySpecsFor(
  config: TenantConfig,
  options: { rsaKeySize?: 2048 | 3072 | 4096; skip?: (alg: string) => boolean } = {},
): KeySpec[] {
  const rsaKeySize = options.rsaKeySize ?? config.keys.rsaKeySize;
  return [...config.keys.signingAlgorithms, ...config.keys.encryptionAlgorithms]
    .filter((alg) => !options.skip?.(alg))
    .map((alg) => ({ alg, rsaKeySize }));
}
