import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { appendAudit } from '@tessera/shared/audit/audit-log';
import type { TenantStatus } from '@tessera/shared/db/schema';
import { HttpError, notFound } from '@tessera/shared/http/errors';
import { announceTenantChange } from '@tessera/shared/tenancy/change-channel';
import { loadTenant } from '@tessera/shared/tenancy/tenant-reader';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { auditActor } from '../auth/audit-actor.ts';
import { forgetBillingSuspension } from '../billing/billing-suspension.ts';
import type { ControlPlaneDeps } from './deps.ts';
import { ErrorBody, TenantView, TidParams } from './schemas.ts';
import { tenantView } from './tenant-view.ts';

/** Which status each action moves from and to; repeating an action is a no-op (200). */
const TRANSITIONS = {
  suspend: { from: 'active', to: 'suspended', audit: 'tenant.suspended' },
  resume: { from: 'suspended', to: 'active', audit: 'tenant.resumed' },
} as const satisfies Record<string, { from: TenantStatus; to: TenantStatus; audit: string }>;

/**
 * `POST …/{tid}/suspend` and `…/resume`. A suspended tenant stays in place
 * (keys, clients, grants) but data-plane nodes answer `403 tenant_suspended`
 * as soon as they hear of the change. Operator business (`tenants:suspend`):
 * a tenant admin cannot lift a suspension.
 */
export function registerTenantStatusRoutes(root: FastifyInstance, deps: ControlPlaneDeps): void {
  const app = root.withTypeProvider<TypeBoxTypeProvider>();
  const { db, redis, settings } = deps;
  for (const [action, { from, to, audit }] of Object.entries(TRANSITIONS)) {
    app.post(
      `/tenants/rest/v1/:tid/${action}`,
      {
        config: { permission: 'tenants:suspend' },
        schema: {
          summary: `${action[0]!.toUpperCase()}${action.slice(1)} a tenant`,
          params: TidParams,
          response: { 200: TenantView, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody },
        },
      },
      async (request) => {
        const { tid } = request.params;
        const changed = await db.transaction().execute(async (trx) => {
          const result = await trx
            .updateTable('tenants')
            .set({ status: to, status_reason: null, updated_at: sql<Date>`clock_timestamp()` })
            .where('tid', '=', tid)
            .where('status', '=', from)
            .executeTakeFirst();
          if (result.numUpdatedRows > 0n)
            await appendAudit(trx, [{ tid, actor: auditActor(request), action: audit, target: `tenant:${tid}` }]);
          return result;
        });
        const tenant = await loadTenant(db, tid);
        if (!tenant) throw notFound(`No tenant "${tid}"`, 'tenant_not_found');
        if (changed.numUpdatedRows === 0n && tenant.status !== to) {
          throw new HttpError(409, 'invalid_status', `Cannot ${action} a tenant that is ${tenant.status}`);
        }
        if (changed.numUpdatedRows > 0n && to === 'active') await forgetBillingSuspension(db, tid);
        if (changed.numUpdatedRows > 0n) await announceTenantChange(db, redis, settings.redisPrefix, tid);
        return tenantView(tenant);
      },
    );
  }
}
