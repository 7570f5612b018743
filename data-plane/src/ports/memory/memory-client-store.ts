import { quotaExceeded } from '@tessera/shared/billing/count-quota';
import type { Client } from '@tessera/shared/clients/client';
import { SECRET_ROLLOVER_MS } from '@tessera/shared/clients/client-store';
import { isPrintableIdentifier } from '@tessera/shared/text/printable-identifier';
import type { ClientChange, ClientStore, NewClient } from '../client-store.ts';
import type { Clock } from '../clock.ts';

const key = (tid: string, clientId: string) => `${tid}\u0000${clientId}`;

/**
 * Registered clients in memory. Secrets are held as given (there is no rest
 * to protect them at); registration tokens arrive hashed, as in PostgreSQL.
 * Clients are kept as JSON, so a caller never holds a reference into the store.
 */
export class MemoryClientStore implements ClientStore {
  readonly #clock: Clock;
  readonly #clients = new Map<string, string>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  async get(tid: string, clientId: string): Promise<Client | undefined> {
    if (!isPrintableIdentifier(clientId)) return undefined;
    const raw = this.#clients.get(key(tid, clientId));
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as Client;
    const date = (value: Date | string | null) => (value === null ? null : new Date(value));
    return {
      ...stored,
      secretExpiresAt: date(stored.secretExpiresAt),
      previousSecretValidUntil: date(stored.previousSecretValidUntil),
      createdAt: new Date(stored.createdAt),
      updatedAt: new Date(stored.updatedAt),
    };
  }

  #count(tid: string): number {
    let n = 0;
    for (const k of this.#clients.keys()) if (k.startsWith(`${tid}\u0000`)) n++;
    return n;
  }

  async list(tid: string): Promise<string[]> {
    const prefix = `${tid}\u0000`;
    return [...this.#clients.keys()]
      .filter((k) => k.startsWith(prefix))
      .map((k) => k.slice(prefix.length))
      .sort();
  }

  async corsOrigins(tid: string): Promise<string[]> {
    const origins = new Set<string>();
    for (const clientId of await this.list(tid)) {
      const registered = (await this.get(tid, clientId))?.metadata.allowed_cors_origins;
      if (Array.isArray(registered)) for (const origin of registered) origins.add(origin as string);
    }
    return [...origins].sort();
  }

  async create(tid: string, input: NewClient, limit: number | null = null): Promise<boolean> {
    const k = key(tid, input.clientId);
    if (this.#clients.has(k)) return false;
    // Synchronous from the count to the insert: parallel creations take turns, as under the row lock in PostgreSQL.
    if (limit !== null && this.#count(tid) >= limit) throw quotaExceeded('clients', limit);
    const now = new Date(this.#clock.now());
    const client: Client = {
      tid,
      clientId: input.clientId,
      metadata: input.metadata,
      secret: input.secret,
      ...(input.secretHash ? { secretHash: input.secretHash } : {}),
      secretExpiresAt: input.secretExpiresAt,
      previousSecret: null,
      previousSecretValidUntil: null,
      registrationTokenSha256: input.registrationTokenSha256,
      createdAt: now,
      updatedAt: now,
    };
    this.#clients.set(k, JSON.stringify(client));
    return true;
  }

  async update(tid: string, clientId: string, input: ClientChange): Promise<boolean> {
    const client = await this.get(tid, clientId);
    if (!client) return false;
    const now = this.#clock.now();
    const changed: Client = { ...client, metadata: input.metadata, updatedAt: new Date(now) };
    if (input.newSecret !== undefined) {
      changed.previousSecret = client.secret;
      changed.previousSecretHash = client.secretHash ?? null;
      changed.previousSecretValidUntil = new Date(now + SECRET_ROLLOVER_MS);
      changed.secret = input.newSecret;
      changed.secretHash = input.newSecretHash ?? null;
      changed.secretExpiresAt = input.secretExpiresAt ?? null;
    }
    if (input.registrationTokenSha256 !== undefined) changed.registrationTokenSha256 = input.registrationTokenSha256;
    this.#clients.set(key(tid, clientId), JSON.stringify(changed));
    return true;
  }

  async delete(tid: string, clientId: string): Promise<boolean> {
    return this.#clients.delete(key(tid, clientId));
  }
}
