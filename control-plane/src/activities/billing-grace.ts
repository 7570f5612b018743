import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import { sql } from 'kysely';
import { suspendForBilling } from '../billing/billing-suspension.ts';
import type { ActivityDeps } from './deps.ts';

/**
 * The end of a payment failure's grace period (workflows/billing-grace.ts):
 * a tenant whose invoice is still unpaid is suspended; one that paid since
 * is left alone; one whose grace was pushed later says until when.
 */
export const billingGraceActivities = ({ db, redis, redisPrefix }: ActivityDeps) => ({
  async suspendAfterGrace({ tid }: { tid: string }): Promise<{ waitUntilMs: number | null; suspended: boolean }> {
    const result = await db.transaction().execute(async (trx) => {
      const account = await trx
        .selectFrom('billing_accounts')
        .select(['grace_until', sql<Date>`clock_timestamp()`.as('now')])
        .where('tid', '=', tid)
        .forUpdate()
        .executeTakeFirst();
      if (!account?.grace_until) return { waitUntilMs: null, suspended: false };
      const until = new Date(account.grace_until).getTime();
      if (until > new Date(account.now).getTime()) return { waitUntilMs: until, suspended: false };
      const suspended = await suspendForBilling(trx, tid, 'an invoice is unpaid and its grace period is over');
      return { waitUntilMs: null, suspended };
    });
    if (result.suspended) await publishTenantChange(redis, redisPrefix, { tid, kind: 'upsert' });
    return result;
  },
});
