import { randomJti } from '@tessera/shared/tokens/identifiers';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { BackchannelLogoutJob } from '../ports/backchannel-logout-queue.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { EndedSession } from './ended-session.ts';
import { sessionEndedEvent } from './logout-events.ts';

export type { EndedSession };

/** A back-channel notice for each client in `clients` that registered a `backchannel_logout_uri`, looked up in the session's own tenant only. */
async function noticesFor(
  deps: DataPlaneDeps,
  context: TenantContext,
  ended: EndedSession,
  clients: readonly string[],
): Promise<BackchannelLogoutJob[]> {
  const { tid } = context.tenant;
  const found = await Promise.all([...new Set(clients)].map((id) => deps.clients.get(tid, id)));
  const jobs: BackchannelLogoutJob[] = [];
  for (const client of found) {
    if (typeof client?.metadata.backchannel_logout_uri !== 'string') continue;
    jobs.push({ tid, clientId: client.clientId, sidHash: ended.sidHash, sub: ended.session.sub, jti: randomJti() });
  }
  return jobs;
}

/**
 * Tell the relying parties of an ended session (Back-Channel Logout 1.0):
 * every client in `clients` (default: the session's `rps`) that registered a
 * `backchannel_logout_uri` gets a logout token, delivered in the background.
 * Every path that ends a subject session calls this once, after the store
 * confirmed the end.
 *
 * Here the notices are only queued (one job per client, on the queue every
 * node shares; logout/backchannel-delivery.ts makes and POSTs the tokens),
 * together with the `session.ended` event; the caller's answer waits for
 * both to be durable. A client id of another tenant names nothing here.
 */
export async function announceSessionEnded(
  deps: DataPlaneDeps,
  context: TenantContext,
  ended: EndedSession,
  clients?: readonly string[],
): Promise<void> {
  const jobs = await noticesFor(deps, context, ended, clients ?? ended.session.rps ?? []);
  await Promise.all([
    jobs.length > 0 ? deps.backchannelLogout.enqueue(jobs) : undefined,
    deps.events.emit(
      sessionEndedEvent(
        context.tenant.tid,
        ended,
        jobs.map((j) => j.clientId),
      ),
    ),
  ]);
}

/**
 * RP-only logout (the end-user signed out of one client, connect2id-apis.md
 * §5.1): that client gets its back-channel notice for the session, which
 * itself lives on — so no `session.ended`.
 */
export async function announceClientLoggedOut(
  deps: DataPlaneDeps,
  context: TenantContext,
  session: Omit<EndedSession, 'cause'>,
  clientId: string,
): Promise<void> {
  const jobs = await noticesFor(deps, context, { ...session, cause: 'rp_logout' }, [clientId]);
  if (jobs.length > 0) await deps.backchannelLogout.enqueue(jobs);
}
