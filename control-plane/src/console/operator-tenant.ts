import type { Db } from '@tessera/shared/db/database';
import type { ConsoleSettings } from './console-settings.ts';

/**
 * The tid of the operator tenant (the tenant whose issuer the console signs
 * in at), read again at most every `ttlMs`. Changing that tenant — its
 * users, API tokens, clients, config — is the console owners' business
 * alone (admin-auth.ts): whoever could, could make itself an owner.
 */
export function operatorTenantOf(db: Db, settings: () => Promise<ConsoleSettings | undefined>, ttlMs = 10_000) {
  let cached: { at: number; issuer: string; tid: string | undefined } | undefined;
  return async (): Promise<string | undefined> => {
    const current = await settings();
    if (!current) return undefined;
    if (cached && cached.issuer === current.issuer && Date.now() - cached.at < ttlMs) return cached.tid;
    const row = await db.selectFrom('tenants').select('tid').where('issuer', '=', current.issuer).executeTakeFirst();
    cached = { at: Date.now(), issuer: current.issuer, tid: row?.tid };
    return row?.tid;
  };
}
