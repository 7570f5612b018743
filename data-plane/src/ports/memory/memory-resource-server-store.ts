import type { ResourceServer, ResourceServerFields } from '@tessera/shared/resources/resource-server';
import {
  MAX_RESOURCE_SERVERS,
  newResourceServerId,
  TooManyResourceServers,
} from '@tessera/shared/resources/resource-server-store';
import type { Clock } from '../clock.ts';
import type { ResourceServerStore } from '../resource-servers.ts';

/** Resource servers in memory, kept as copies so a caller never holds a reference into the store. */
export class MemoryResourceServerStore implements ResourceServerStore {
  readonly #clock: Clock;
  /** By tenant, then identifier. */
  readonly #tenants = new Map<string, Map<string, ResourceServer>>();

  constructor(clock: Clock) {
    this.#clock = clock;
  }

  #of(tid: string): Map<string, ResourceServer> {
    let servers = this.#tenants.get(tid);
    if (!servers) this.#tenants.set(tid, (servers = new Map()));
    return servers;
  }

  async get(tid: string, identifier: string): Promise<ResourceServer | undefined> {
    const found = this.#tenants.get(tid)?.get(identifier);
    return found ? structuredClone(found) : undefined;
  }

  async getById(tid: string, id: string): Promise<ResourceServer | undefined> {
    const found = [...(this.#tenants.get(tid)?.values() ?? [])].find((rs) => rs.id === id);
    return found ? structuredClone(found) : undefined;
  }

  async list(tid: string): Promise<ResourceServer[]> {
    return [...(this.#tenants.get(tid)?.values() ?? [])]
      .sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0))
      .map((rs) => structuredClone(rs));
  }

  async create(tid: string, fields: ResourceServerFields): Promise<ResourceServer | undefined> {
    const servers = this.#of(tid);
    if (servers.has(fields.identifier)) return undefined;
    if (servers.size >= MAX_RESOURCE_SERVERS) throw new TooManyResourceServers();
    const now = new Date(this.#clock.now());
    const created: ResourceServer = {
      ...structuredClone(fields),
      id: newResourceServerId(),
      createdAt: now,
      updatedAt: now,
    };
    servers.set(fields.identifier, created);
    return structuredClone(created);
  }

  async update(
    tid: string,
    id: string,
    fields: Omit<ResourceServerFields, 'identifier'>,
  ): Promise<ResourceServer | undefined> {
    const current = await this.getById(tid, id);
    if (!current) return undefined;
    const updated: ResourceServer = { ...current, ...structuredClone(fields), updatedAt: new Date(this.#clock.now()) };
    this.#of(tid).set(current.identifier, updated);
    return structuredClone(updated);
  }

  async delete(tid: string, id: string): Promise<ResourceServer | undefined> {
    const current = await this.getById(tid, id);
    if (current) this.#of(tid).delete(current.identifier);
    return current;
  }
}
