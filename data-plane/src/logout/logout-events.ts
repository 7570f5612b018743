import type { BackchannelLogoutJob } from '../ports/backchannel-logout-queue.ts';
import type { NewEvent } from '../ports/event-sink.ts';
import type { EndedSession } from './ended-session.ts';

/*
 * The events of logout (docs/events.md): a subject session ended, and what
 * became of each back-channel notice. Sessions appear by `sid` (the hash the
 * ID tokens carry), logout tokens by their `jti`: never the session id (the
 * SSO cookie's value) or a token.
 */

/** Who ended a session, by its cause. */
function actorOf(ended: EndedSession): string {
  switch (ended.cause) {
    case 'session_store_api':
    case 'user_deleted':
      return 'tenant_api_token';
    case 'expired':
      return 'system';
    default:
      return `sub:${ended.session.sub}`;
  }
}

/** `session.ended`: the session is gone from the store; `notified` are the clients a back-channel notice was queued for. */
export function sessionEndedEvent(tid: string, ended: EndedSession, notified: readonly string[]): NewEvent {
  return {
    type: 'session.ended',
    tid,
    actor: actorOf(ended),
    data: {
      sub: ended.session.sub,
      sid: ended.sidHash,
      cause: ended.cause,
      clients: [...(ended.session.rps ?? [])],
      notified: [...notified],
    },
  };
}

const noticeData = (notice: BackchannelLogoutJob, attempts: number) => ({
  client_id: notice.clientId,
  sub: notice.sub,
  sid: notice.sidHash,
  jti: notice.jti,
  attempts,
});

/** `logout.delivered`: the client's `backchannel_logout_uri` answered 2xx to the logout token. */
export function logoutDeliveredEvent(notice: BackchannelLogoutJob, attempts: number, status: number): NewEvent {
  return {
    type: 'logout.delivered',
    tid: notice.tid,
    actor: 'system',
    data: { ...noticeData(notice, attempts), status },
  };
}

/** `logout.failed`: the notice was given up (attempts spent, or the client is gone or no longer takes them). */
export function logoutFailedEvent(notice: BackchannelLogoutJob, attempts: number, reason: string): NewEvent {
  return {
    type: 'logout.failed',
    tid: notice.tid,
    actor: 'system',
    data: { ...noticeData(notice, attempts), reason },
  };
}
