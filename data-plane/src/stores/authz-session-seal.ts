import type { AuthzSession } from '../ports/authz-session-store.ts';
import { openUnderId, sealUnderId } from './id-seal.ts';

/*
 * The subject session id a flow runs in is an SSO credential: at rest it is
 * sealed under the authorisation session id (id-seal.ts). Every
 * implementation of the port stores sessions through these two functions.
 */
const KIND = 'authz-session';

type Stored = Omit<AuthzSession, 'subSid'> & { sealedSubSid?: string };

/** The session as stored: JSON, its subject session id sealed. */
export function sealAuthzSession(sid: string, session: AuthzSession): string {
  const { subSid, ...rest } = session;
  return JSON.stringify({
    ...rest,
    ...(subSid ? { sealedSubSid: sealUnderId(KIND, sid, subSid) } : {}),
  } satisfies Stored);
}

/** The stored session opened with its id (a subject session id that does not open is dropped). */
export function openAuthzSession(sid: string, raw: string): AuthzSession {
  const { sealedSubSid, ...rest } = JSON.parse(raw) as Stored;
  const subSid = sealedSubSid ? openUnderId(KIND, sid, sealedSubSid) : undefined;
  return { ...rest, ...(subSid ? { subSid } : {}) };
}
