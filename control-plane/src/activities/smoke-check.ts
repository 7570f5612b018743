import type { ActivityDeps } from './deps.ts';

/**
 * Ask a real data-plane node for the tenant's discovery document and JWK set
 * (by `Tenant-ID`, so it works whatever the issuer's host): the issuer must
 * be the tenant's and every signing key must be published. A mismatch throws
 * a retryable error — the node may not have heard of the tenant yet.
 */
export const smokeCheckActivities = ({ db, smokeCheckUrl }: ActivityDeps) => ({
  async smokeCheck({ tid, issuer }: { tid: string; issuer: string }): Promise<void> {
    const get = async (path: string) => {
      const res = await fetch(`${smokeCheckUrl}${path}`, {
        headers: { 'tenant-id': tid, accept: 'application/json' },
        signal: AbortSignal.timeout(5000),
      });
      if (res.status !== 200) throw new Error(`GET ${path} for ${tid} answered ${res.status}`);
      return (await res.json()) as Record<string, unknown>;
    };
    const discovery = await get('/.well-known/openid-configuration');
    if (discovery.issuer !== issuer)
      throw new Error(`discovery says issuer ${String(discovery.issuer)}, expected ${issuer}`);
    const jwks = (await get('/jwks.json')) as { keys?: Array<{ kid?: string }> };
    const served = new Set((jwks.keys ?? []).map((k) => k.kid));
    const keys = await db
      .selectFrom('tenant_keys')
      .select('kid')
      .where('tid', '=', tid)
      .where('use', '=', 'sig')
      .where('revoked_at', 'is', null)
      .execute();
    if (keys.length === 0) throw new Error(`the tenant ${tid} has no signing keys`);
    const missing = keys.filter((k) => !served.has(k.kid));
    if (missing.length > 0) throw new Error(`the JWK set lacks ${missing.map((k) => k.kid).join(', ')}`);
  },
});
