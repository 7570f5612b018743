import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { callSlotTarget } from './call-slot.ts';
import { answerClaims, answerSubject, checkAllowed, narrowedScope } from './grant-handler-answer.ts';
import type { SlotConfig } from './slot-config.ts';

const SLOT = 'jwtBearerGrant';

/** What the handler decided: the subject to map to (before the issuer's subject rule), the scope and added claims. */
export interface JwtBearerDecision {
  sub: string;
  scp: string[];
  claims?: Record<string, unknown> | undefined;
}

/**
 * The JWT bearer grant's handler (docs/plugins/jwt-bearer-grant.md), called
 * after Tessera verified the assertion (trusted issuer's signature, aud,
 * exp, jti used once): POST its claims (never the assertion), the client,
 * the scope and audiences Tessera would grant; `{"allow": false}` refuses
 * (`invalid_grant`, or `unauthorized_client` / `invalid_scope` when named);
 * `{"allow": true}` may map the subject, narrow the scope (values outside
 * are ignored) and add claims. Fails closed.
 */
export async function jwtBearerHook(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotConfig<'jwtBearerGrant'>,
  request: { clientId: string; issuer: string; claims: Record<string, unknown>; scp: string[]; audience: string[] },
): Promise<JwtBearerDecision> {
  const answer = (await callSlotTarget(webhooks, tid, SLOT, config, {
    client_id: request.clientId,
    issuer: request.issuer,
    claims: request.claims,
    scope: request.scp.join(' '),
    audience: request.audience,
  }))!;
  checkAllowed(
    SLOT,
    answer,
    ['invalid_grant', 'unauthorized_client', 'invalid_scope'],
    'The assertion is not accepted',
  );
  const decision: JwtBearerDecision = {
    sub: answerSubject(SLOT, answer) ?? (request.claims.sub as string),
    scp: narrowedScope(SLOT, answer, request.scp),
  };
  const claims = answerClaims(SLOT, answer);
  if (claims) decision.claims = claims;
  return decision;
}
