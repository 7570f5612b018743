import type { KeyInfo } from '@tessera/shared/keys/key-store';
import type { SecretPurpose } from '@tessera/shared/keys/tenant-secrets';
import type { Tenant } from '@tessera/shared/tenancy/tenant';

/**
 * Everything a request needs about its tenant, loaded once per config change
 * and shared by every request until the next change evicts it. Derived
 * documents (metadata per issuer, the JWK set body) are computed on first use
 * and memoised here, so they die with the entry.
 */
export class TenantContext {
  readonly tenant: Tenant;
  /** Published keys (not revoked); their status is re-derived from timestamps when used. */
  readonly keys: KeyInfo[];
  /** SHA-256 (hex) of the tenant's integration API tokens that are not revoked. */
  readonly apiTokenHashes: readonly string[];
  /** The tenant's symmetric secrets, opened once per load (identifier HMAC, token encryption). */
  readonly secrets: Readonly<Record<SecretPurpose, Buffer>>;
  readonly #memo = new Map<string, string>();

  constructor(
    tenant: Tenant,
    keys: KeyInfo[],
    apiTokenHashes: readonly string[],
    secrets: Readonly<Record<SecretPurpose, Buffer>>,
  ) {
    this.tenant = tenant;
    this.keys = keys;
    this.apiTokenHashes = apiTokenHashes;
    this.secrets = secrets;
  }

  /** Memoise a serialised document under `key` for the life of this context. */
  memo(key: string, build: () => unknown): string {
    let value = this.#memo.get(key);
    if (value === undefined) {
      value = JSON.stringify(build());
      this.#memo.set(key, value);
    }
    return value;
  }
}
