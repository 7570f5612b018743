import type { LogoutSession } from '../ports/logout-session-store.ts';
import { openUnderId, sealUnderId } from './id-seal.ts';

/*
 * A logout session names the browser's subject session (an SSO
 * credential): at rest that id is sealed under the logout session id
 * (id-seal.ts). Every implementation of the port stores sessions through
 * these two functions.
 */
const KIND = 'logout-session';

type Stored = Omit<LogoutSession, 'subSid'> & { sealedSubSid?: string };

export function sealLogoutSession(sid: string, session: LogoutSession): string {
  const { subSid, ...rest } = session;
  return JSON.stringify({
    ...rest,
    ...(subSid ? { sealedSubSid: sealUnderId(KIND, sid, subSid) } : {}),
  } satisfies Stored);
}

export function openLogoutSession(sid: string, raw: string): LogoutSession {
  const { sealedSubSid, ...rest } = JSON.parse(raw) as Stored;
  const subSid = sealedSubSid ? openUnderId(KIND, sid, sealedSubSid) : undefined;
  return { ...rest, ...(subSid ? { subSid } : {}) };
}
