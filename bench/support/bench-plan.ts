import type { Db } from '@tessera/shared/db/database';

/**
 * The bench tenants' plan (`bench`): every rate limit and hard monthly cap is
 * checked on each request and none is ever reached, so a run measures the
 * cost of checking, not refusals (compare with TESSERA_QUOTAS=off).
 */
export async function createBenchPlan(db: Db): Promise<string> {
  const never = 1_000_000_000;
  const cap = { limit: never, kind: 'hard' } as const;
  await db
    .insertInto('plans')
    .values({
      id: 'bench',
      name: 'Bench',
      quotas: JSON.stringify({
        clients: null,
        users: null,
        monthly_active_subjects: null,
        token_requests_per_second: never,
        token_requests_burst: never,
        issuer_aliases: null,
        api_tokens: null,
      }),
      monthly_caps: JSON.stringify({
        tokens: cap,
        authorizations: cap,
        introspections: cap,
        sign_ins: cap,
        monthly_active_subjects: cap,
      }),
      stripe: '{}',
    })
    .execute();
  return 'bench';
}
