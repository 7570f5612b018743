import type { Actor } from '@tessera/shared/authz/authorization';
import type { ResourceServer } from '@tessera/shared/resources/resource-server';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { actorOf, type PresentedToken } from '../token-exchange/presented-token.ts';
import { callSlotTarget } from './call-slot.ts';
import { answerClaims, answerSubject, answerValues, checkAllowed, narrowedScope } from './grant-handler-answer.ts';
import { badAnswer } from './slot-answer.ts';
import type { SlotConfig } from './slot-config.ts';

const SLOT = 'tokenExchangeGrant';

/** What Tessera would issue after its own checks; the handler may only keep or narrow it. */
export interface ExchangeProposal {
  clientId: string;
  subjectType: string;
  subject: PresentedToken;
  actorType?: string | undefined;
  actor?: PresentedToken | undefined;
  requestedTokenType: string;
  sub: string;
  scp: string[];
  resources: ResourceServer[];
  act?: Actor | undefined;
}

/** What the handler decided: the issued token's subject, scope, resource servers, act and added claims. */
export interface ExchangeDecision {
  sub: string;
  scp: string[];
  resources: ResourceServer[];
  act?: Actor | undefined;
  claims?: Record<string, unknown> | undefined;
}

/** The validated facts of a presented token, never the token itself. */
const facts = (type: string, token: PresentedToken) => ({
  token_type: type,
  iss: token.iss,
  sub: token.sub,
  ...(token.scp !== undefined ? { scope: token.scp.join(' ') } : {}),
  ...(token.aud?.length ? { aud: token.aud } : {}),
  ...(token.clientId !== undefined ? { client_id: token.clientId } : {}),
  ...(token.act ? { act: token.act } : {}),
  ...(token.mayAct ? { may_act: token.mayAct } : {}),
  ...(token.claims ? { claims: token.claims } : {}),
});

/**
 * The token exchange grant's handler (docs/plugins/token-exchange-grant.md),
 * called after Tessera verified the tokens and the tenant's policy and
 * may_act allowed the exchange: POST the validated facts and what Tessera
 * would issue; `{"allow": false}` refuses (`invalid_grant` unless the answer
 * names `unauthorized_client`, `invalid_target` or `invalid_scope`);
 * `{"allow": true}` may set the subject (impersonation), narrow the scope
 * and the audiences (values outside are ignored; never none of several),
 * set or drop `act` (delegation or not) and add claims. Fails closed.
 */
export async function tokenExchangeHook(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotConfig<'tokenExchangeGrant'>,
  proposal: ExchangeProposal,
): Promise<ExchangeDecision> {
  const { subject, actor, resources } = proposal;
  const answer = (await callSlotTarget(webhooks, tid, SLOT, config, {
    client_id: proposal.clientId,
    subject: facts(proposal.subjectType, subject),
    ...(actor && proposal.actorType ? { actor: facts(proposal.actorType, actor) } : {}),
    requested_token_type: proposal.requestedTokenType,
    sub: proposal.sub,
    scope: proposal.scp.join(' '),
    audience: resources.map((rs) => rs.identifier),
    ...(proposal.act ? { act: proposal.act } : {}),
  }))!;
  checkAllowed(
    SLOT,
    answer,
    ['invalid_grant', 'unauthorized_client', 'invalid_target', 'invalid_scope'],
    'The token exchange is not allowed',
  );
  const decision: ExchangeDecision = {
    sub: answerSubject(SLOT, answer) ?? proposal.sub,
    scp: narrowedScope(SLOT, answer, proposal.scp),
    resources,
    act: proposal.act,
  };
  const aud = answerValues(SLOT, answer, 'aud');
  if (aud !== undefined) {
    const kept = new Set(aud);
    decision.resources = resources.filter((rs) => kept.has(rs.identifier));
    // A token for no audience would be good at more APIs than the one asked for, not fewer.
    if (resources.length > 0 && decision.resources.length === 0)
      throw badAnswer(SLOT, 'aud names none of the audiences asked for');
  }
  if (answer.act === null) decision.act = undefined;
  else if (answer.act !== undefined) {
    decision.act = actorOf(answer.act);
    if (!decision.act) throw badAnswer(SLOT, 'act is not an object with a string sub');
  }
  const claims = answerClaims(SLOT, answer);
  if (claims) decision.claims = claims;
  return decision;
}
