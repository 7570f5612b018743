import type { ActivityDeps } from './deps.ts';

/**
 * Redis key families the data plane keeps per tenant, each `<family>:<tid>:…`
 * (access tokens, revocation journal, subject sessions, used refresh-token
 * ids, used client-assertion ids; see data-plane/src/stores and oauth).
 */
const REDIS_FAMILIES = ['at', 'rev', 'sess', 'rtu', 'jti'] as const;

export const tenantGrantActivities = ({ db, redis, redisPrefix }: ActivityDeps) => ({
  /** Revoke every token and session of a tenant: its Redis keys, refresh tokens, authorisations and API tokens. Idempotent. */
  async revokeTenantGrants({ tid }: { tid: string }): Promise<{ redisKeys: number }> {
    let deleted = 0;
    for (const family of REDIS_FAMILIES) {
      let cursor = '0';
      do {
        // SCAN patterns are not prefixed by ioredis; DEL keys are, so the prefix is stripped again.
        const [next, keys] = await redis.scan(cursor, 'MATCH', `${redisPrefix}${family}:${tid}:*`, 'COUNT', 1000);
        if (keys.length > 0) deleted += await redis.del(...keys.map((k) => k.slice(redisPrefix.length)));
        cursor = next;
      } while (cursor !== '0');
    }
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('refresh_tokens').where('tid', '=', tid).execute();
      await trx.deleteFrom('authorizations').where('tid', '=', tid).execute();
      await trx
        .updateTable('tenant_api_tokens')
        .set({ revoked_at: new Date() })
        .where('tid', '=', tid)
        .where('revoked_at', 'is', null)
        .execute();
    });
    return { redisKeys: deleted };
  },
});
