import type { Kysely } from 'kysely';

/** The audit log: filled by the audit work. */
export async function up(_db: Kysely<unknown>): Promise<void> {}
