import { tokenHash } from '@tessera/shared/tokens/identifiers';
import type { NewEvent } from '../ports/event-sink.ts';
import type { SubjectSession } from '../ports/subject-session-store.ts';

/*
 * The events of an authorisation session's decisions (docs/events.md),
 * raised by authz/authz-flow.ts, which the hosted login pages and the
 * authorisation session API both drive. The subject session appears as
 * `sid`, the hash the ID token's `sid` claim carries: the session id itself
 * is the SSO cookie's value, a credential.
 */

/** The end-user signed in at the `auth` step and a subject session was created. */
export function subjectAuthenticatedEvent(
  tid: string,
  clientId: string,
  subSid: string,
  session: SubjectSession,
): NewEvent {
  return {
    type: 'subject.authenticated',
    tid,
    actor: `sub:${session.sub}`,
    data: {
      sub: session.sub,
      client_id: clientId,
      amr: session.amr ?? [],
      ...(session.acr ? { acr: session.acr } : {}),
      auth_time: new Date(session.authTime * 1000).toISOString(),
      sid: tokenHash(subSid),
    },
  };
}

/** The end-user (or the login page for them) granted this scope and these claims at the `consent` step. */
export function consentGivenEvent(
  tid: string,
  grant: { sub: string; clientId: string; scope: readonly string[]; claims: readonly string[]; longLived: boolean },
): NewEvent {
  return {
    type: 'consent.given',
    tid,
    actor: `sub:${grant.sub}`,
    data: {
      sub: grant.sub,
      client_id: grant.clientId,
      scope: [...grant.scope],
      claims: [...grant.claims],
      long_lived: grant.longLived,
    },
  };
}

/**
 * The session was denied or cancelled (DELETE, or "deny" on the consent
 * page): what was asked, the error the client gets, and the subject once
 * one has signed in.
 */
export function consentDeniedEvent(
  tid: string,
  denial: { sub?: string | undefined; clientId: string; scope: readonly string[]; step: string; error: string },
): NewEvent {
  return {
    type: 'consent.denied',
    tid,
    actor: denial.sub !== undefined ? `sub:${denial.sub}` : `client:${denial.clientId}`,
    data: {
      ...(denial.sub !== undefined ? { sub: denial.sub } : {}),
      client_id: denial.clientId,
      scope: [...denial.scope],
      step: denial.step,
      error: denial.error,
    },
  };
}
