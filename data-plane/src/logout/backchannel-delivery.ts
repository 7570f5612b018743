import { FetchError, postLimited } from '@tessera/shared/http/fetch-limited';
import { isLoopbackUrl } from '@tessera/shared/http/loopback';
import { SERVED_STATUSES } from '@tessera/shared/tenancy/tenant';
import type { Job } from 'bullmq';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { BackchannelLogoutJob } from '../ports/backchannel-logout-queue.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { logoutDeliveredEvent, logoutFailedEvent } from './logout-events.ts';
import { logoutTokenFor } from './logout-token.ts';

/** Largest answer read from a client's logout endpoint (it is not used: the cap only bounds the read). */
const ANSWER_MAX_BYTES = 16 * 1024;

export interface BackchannelDeliveryOptions {
  deps: DataPlaneDeps;
  /** The tenant's context by tid (the node's tenant cache); undefined once the tenant is gone. */
  tenant(tid: string): Promise<TenantContext | undefined>;
  /** Per-attempt deadline of the POST, milliseconds. */
  timeoutMs: number;
  /** Plain http to loopback receivers (development and tests, with CLIENT_FETCH_PRIVATE=allow). */
  allowLoopbackHttp: boolean;
}

/** How one job ended: delivered (the status), or given up without a delivery (why). */
export type DeliveryOutcome = { delivered: number } | { skipped: string };

/**
 * The delivery of one back-channel logout notice (Back-Channel Logout 1.0
 * §2.5): the logout token is made now, with the tenant's keys and the
 * client's registration as they are now, and POSTed as
 * `logout_token=<token>` (`application/x-www-form-urlencoded`) to the
 * client's `backchannel_logout_uri` through the SSRF-guarded fetcher (https
 * only, plain http to loopback only where private addresses are allowed; no
 * redirects; a deadline). Any 2xx is delivered (`logout.delivered`);
 * anything else throws and BullMQ retries with backoff, the last failure
 * recorded as `logout.failed`. A tenant that is gone or no longer served
 * ends the job without a delivery, and so does a client that is gone or has
 * dropped its `backchannel_logout_uri` (`logout.failed` with the reason).
 * Neither the token nor the session id is ever logged or recorded.
 */
export function backchannelDelivery(options: BackchannelDeliveryOptions) {
  const { deps } = options;
  return async (job: Job<BackchannelLogoutJob>): Promise<DeliveryOutcome> => {
    const notice = job.data;
    const attempt = job.attemptsMade + 1;
    const context = await options.tenant(notice.tid);
    if (!context || !SERVED_STATUSES.has(context.tenant.status)) return { skipped: 'the tenant is not served' };
    const client = await deps.clients.get(notice.tid, notice.clientId);
    const uri = client?.metadata.backchannel_logout_uri;
    if (!client || typeof uri !== 'string') {
      const reason = client ? 'the client no longer has a backchannel_logout_uri' : 'the client is gone';
      await deps.events.emit(logoutFailedEvent(notice, attempt, reason));
      return { skipped: reason };
    }
    try {
      const token = await logoutTokenFor(context, deps, client, notice);
      let status: number;
      try {
        ({ status } = await postLimited(
          uri,
          new URLSearchParams({ logout_token: token }).toString(),
          {
            'content-type': 'application/x-www-form-urlencoded',
            'user-agent': 'Tessera-Logout/1',
          },
          {
            timeoutMs: options.timeoutMs,
            maxBytes: ANSWER_MAX_BYTES,
            accept: '*/*',
            policy: deps.outbound,
            allowHttp: options.allowLoopbackHttp && isLoopbackUrl(uri),
          },
        ));
      } catch (err) {
        // The public reason (no addresses): it goes into the event.
        throw new Error(err instanceof FetchError ? err.message : 'the connection failed');
      }
      if (status < 200 || status > 299) throw new Error(`answered ${status}`);
      await deps.events.emit(logoutDeliveredEvent(notice, attempt, status));
      return { delivered: status };
    } catch (err) {
      if (attempt >= (job.opts.attempts ?? 1))
        await deps.events.emit(logoutFailedEvent(notice, attempt, (err as Error).message));
      throw err;
    }
  };
}
