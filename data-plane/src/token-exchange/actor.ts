import type { Actor } from '@tessera/shared/authz/authorization';
import { oauthError } from '../oauth/oauth-error.ts';
import type { PresentedToken } from './presented-token.ts';

/**
 * The `act` of the issued token (RFC 8693 §4.1). Delegation (an actor
 * token): the actor, its issuer when it is not this one, and the subject
 * token's own chain nested under it as the prior actors. Impersonation (no
 * actor token): the subject token's chain as it was, if any.
 */
export function issuedActor(
  subject: PresentedToken,
  actor: PresentedToken | undefined,
  issuer: string,
): Actor | undefined {
  if (!actor) return subject.act;
  return {
    sub: actor.sub,
    ...(actor.iss !== issuer ? { iss: actor.iss } : {}),
    ...(subject.act ? { act: subject.act } : {}),
  };
}

/**
 * RFC 8693 §4.4: a subject token with `may_act` names who may act for its
 * subject; the acting party is the actor token's subject, or without one the
 * client itself (under this issuer). Anyone else: `invalid_grant`.
 */
export function checkMayAct(
  subject: PresentedToken,
  actor: PresentedToken | undefined,
  clientId: string,
  issuer: string,
): void {
  const may = subject.mayAct;
  if (!may) return;
  const party = actor ? { sub: actor.sub, iss: actor.iss } : { sub: clientId, iss: issuer };
  const allowed = (may.sub === undefined || may.sub === party.sub) && (may.iss === undefined || may.iss === party.iss);
  if (!allowed || (may.sub === undefined && may.iss === undefined))
    throw oauthError('invalid_grant', 'The subject token does not allow this party to act for it (may_act)');
}
