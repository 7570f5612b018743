import type { WebhookSigningSecrets } from '@tessera/shared/plugins/http-webhook-invoker';
import { WEBHOOK_SECRET_NAME } from '@tessera/shared/plugins/tenant-secret-store';
import type { TenantSecrets } from '../tenant-secrets.ts';

/** Tenant plugin secrets in a map, for unit tests: `set` what a test needs. */
export class MemoryTenantSecrets implements TenantSecrets, WebhookSigningSecrets {
  readonly #values = new Map<string, string>();

  set(tid: string, name: string, value: string): void {
    this.#values.set(`${tid}\u0000${name}`, value);
  }

  delete(tid: string, name: string): void {
    this.#values.delete(`${tid}\u0000${name}`);
  }

  async get(tid: string, name: string): Promise<string | null> {
    return this.#values.get(`${tid}\u0000${name}`) ?? null;
  }

  async webhookSigningSecrets(tid: string): Promise<readonly string[]> {
    const secret = await this.get(tid, WEBHOOK_SECRET_NAME);
    return secret ? [secret] : [];
  }
}
