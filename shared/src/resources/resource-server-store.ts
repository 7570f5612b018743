import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import type { ResourceServersTable } from '../db/schema.ts';
import { type Clock, systemClock } from '../time/clock.ts';
import type { ResourceServer, ResourceServerFields, ResourceTokenSettings } from './resource-server.ts';

/** How many resource servers a tenant may have. */
export const MAX_RESOURCE_SERVERS = 100;

/** A new handle for the management APIs: `rs_` and 96 random bits. */
export const newResourceServerId = () => `rs_${randomBytes(12).toString('base64url')}`;

/**
 * A tenant's resource servers (writes and authoritative reads).
 * Implemented in PostgreSQL here and in memory for unit tests
 * (data-plane/src/ports/memory/memory-resource-servers.ts).
 *
 * Contract:
 * - `create` returns undefined, changing nothing, when the identifier is
 *   taken in the tenant; identifiers of other tenants never collide. It
 *   throws `TooManyResourceServers` (nothing written) at MAX_RESOURCE_SERVERS.
 * - `update` replaces everything but the identifier and id; `update` and
 *   `delete` answer undefined when the tenant has no such id.
 * - `list` is sorted by identifier; nothing of another tenant is ever seen.
 */
export interface ResourceServerStore {
  get(tid: string, identifier: string): Promise<ResourceServer | undefined>;
  getById(tid: string, id: string): Promise<ResourceServer | undefined>;
  list(tid: string): Promise<ResourceServer[]>;
  create(tid: string, fields: ResourceServerFields): Promise<ResourceServer | undefined>;
  update(
    tid: string,
    id: string,
    fields: Omit<ResourceServerFields, 'identifier'>,
  ): Promise<ResourceServer | undefined>;
  delete(tid: string, id: string): Promise<ResourceServer | undefined>;
}

export class TooManyResourceServers extends Error {
  constructor() {
    super(`A tenant may have at most ${MAX_RESOURCE_SERVERS} resource servers`);
  }
}

type Row = {
  [K in keyof ResourceServersTable]: K extends 'created_at' | 'updated_at'
    ? Date
    : K extends 'scopes'
      ? string[]
      : K extends 'access_token'
        ? Record<string, unknown>
        : K extends 'allowed_clients'
          ? string[] | null
          : ResourceServersTable[K];
};

const fromRow = (row: Row): ResourceServer => ({
  id: row.id,
  identifier: row.identifier,
  name: row.name,
  scopes: row.scopes,
  accessToken: row.access_token as ResourceTokenSettings,
  allowedClients: row.allowed_clients,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

/** Resource servers in PostgreSQL (migration 0011), shared by the data plane's integration API and the control plane. */
export class PostgresResourceServerStore implements ResourceServerStore {
  readonly #db: Db;
  readonly #clock: Clock;

  constructor(db: Db, clock: Clock = systemClock) {
    this.#db = db;
    this.#clock = clock;
  }

  async get(tid: string, identifier: string): Promise<ResourceServer | undefined> {
    const row = await this.#db
      .selectFrom('resource_servers')
      .selectAll()
      .where('tid', '=', tid)
      .where('identifier', '=', identifier)
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }

  async getById(tid: string, id: string): Promise<ResourceServer | undefined> {
    const row = await this.#db
      .selectFrom('resource_servers')
      .selectAll()
      .where('tid', '=', tid)
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }

  async list(tid: string): Promise<ResourceServer[]> {
    const rows = await this.#db
      .selectFrom('resource_servers')
      .selectAll()
      .where('tid', '=', tid)
      .orderBy('identifier')
      .execute();
    return rows.map((r) => fromRow(r as Row));
  }

  async create(tid: string, fields: ResourceServerFields): Promise<ResourceServer | undefined> {
    const now = new Date(this.#clock.now());
    return this.#db.transaction().execute(async (trx) => {
      // The tenant's row is held so that two creations at the limit take turns.
      await sql`select 1 from tenants where tid = ${tid} for no key update`.execute(trx);
      const { n } = await trx
        .selectFrom('resource_servers')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('tid', '=', tid)
        .executeTakeFirstOrThrow();
      if (Number(n) >= MAX_RESOURCE_SERVERS) throw new TooManyResourceServers();
      const row = await trx
        .insertInto('resource_servers')
        .values({
          tid,
          identifier: fields.identifier,
          id: newResourceServerId(),
          name: fields.name,
          scopes: JSON.stringify(fields.scopes),
          access_token: JSON.stringify(fields.accessToken),
          allowed_clients: fields.allowedClients === null ? null : JSON.stringify(fields.allowedClients),
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.columns(['tid', 'identifier']).doNothing())
        .returningAll()
        .executeTakeFirst();
      return row ? fromRow(row as Row) : undefined;
    });
  }

  async update(
    tid: string,
    id: string,
    fields: Omit<ResourceServerFields, 'identifier'>,
  ): Promise<ResourceServer | undefined> {
    const row = await this.#db
      .updateTable('resource_servers')
      .set({
        name: fields.name,
        scopes: JSON.stringify(fields.scopes),
        access_token: JSON.stringify(fields.accessToken),
        allowed_clients: fields.allowedClients === null ? null : JSON.stringify(fields.allowedClients),
        updated_at: new Date(this.#clock.now()),
      })
      .where('tid', '=', tid)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }

  async delete(tid: string, id: string): Promise<ResourceServer | undefined> {
    const row = await this.#db
      .deleteFrom('resource_servers')
      .where('tid', '=', tid)
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return row ? fromRow(row as Row) : undefined;
  }
}
