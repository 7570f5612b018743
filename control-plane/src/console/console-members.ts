import type { Db } from '@tessera/shared/db/database';

/** A console role: the operator roles, or the administrator of one tenant. */
export type ConsoleRole = 'owner' | 'admin' | 'viewer' | 'tenant-admin';
export const CONSOLE_ROLES: readonly ConsoleRole[] = ['owner', 'admin', 'viewer', 'tenant-admin'];

export interface ConsoleMember {
  /** The operator tenant's subject. */
  sub: string;
  role: ConsoleRole;
  /** The tenant of a `tenant-admin`; null for the operator roles. */
  tid: string | null;
  label: string | null;
  createdAt: Date;
}

/** Who may use the console (migration 0013): read on every console-token call, so a change holds at once. */
export class ConsoleMemberStore {
  constructor(private readonly db: Db) {}

  async get(sub: string): Promise<ConsoleMember | undefined> {
    const row = await this.db.selectFrom('console_members').selectAll().where('sub', '=', sub).executeTakeFirst();
    return row ? toMember(row) : undefined;
  }

  async list(): Promise<ConsoleMember[]> {
    const rows = await this.db.selectFrom('console_members').selectAll().orderBy('sub').execute();
    return rows.map(toMember);
  }

  async put(member: Omit<ConsoleMember, 'createdAt'>): Promise<ConsoleMember> {
    const values = { role: member.role, tid: member.tid, label: member.label };
    const row = await this.db
      .insertInto('console_members')
      .values({ sub: member.sub, ...values })
      .onConflict((oc) => oc.column('sub').doUpdateSet(values))
      .returningAll()
      .executeTakeFirstOrThrow();
    return toMember(row);
  }

  /** True when there was such a member. */
  async remove(sub: string): Promise<boolean> {
    const result = await this.db.deleteFrom('console_members').where('sub', '=', sub).executeTakeFirst();
    return result.numDeletedRows > 0n;
  }
}

const toMember = (row: {
  sub: string;
  role: ConsoleRole;
  tid: string | null;
  label: string | null;
  created_at: Date;
}): ConsoleMember => ({ sub: row.sub, role: row.role, tid: row.tid, label: row.label, createdAt: row.created_at });
