import { type EventJobs, type EventJobsOptions, startEventJobs } from '@tessera/control-plane/events/event-jobs';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import type { InProcessPlanes } from './planes.ts';

/**
 * The control plane's event relay and delivery workers on the planes'
 * database and Redis, delivering to loopback receivers (private addresses
 * allowed, plain http to loopback not). `more` names the consumer and settings.
 */
export function startTestEventJobs(
  planes: InProcessPlanes,
  more: Pick<EventJobsOptions, 'consumer' | 'settings'>,
): Promise<EventJobs> {
  return startEventJobs({
    db: planes.s.db,
    redis: planes.s.redis,
    redisUrl: planes.s.settings.redisUrl,
    redisPrefix: planes.s.settings.redisPrefix,
    secrets: new TenantSecretStore(planes.s.db, planes.s.masterKey),
    policy: outboundPolicy({ allowPrivate: true }),
    allowLoopbackHttp: false,
    ...more,
  });
}
