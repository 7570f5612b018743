import type { Kysely } from 'kysely';

/** Per-tenant secrets (webhook signing secret, plugin credentials): filled by the plugins work. */
export async function up(_db: Kysely<unknown>): Promise<void> {}
