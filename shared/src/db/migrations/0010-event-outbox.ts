import type { Kysely } from 'kysely';

/** The event outbox of control-plane changes: filled by the events work. */
export async function up(_db: Kysely<unknown>): Promise<void> {}
