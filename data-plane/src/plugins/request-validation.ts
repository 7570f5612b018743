import type { Static } from '@sinclair/typebox';
import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import { HttpError } from '@tessera/shared/http/errors';
import type { RequestRules } from '@tessera/shared/plugins/slots/request-rules';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';

/**
 * What the authorisation request validator and the PAR validator share:
 * the built-in rules, the webhook payload and what its answer means
 * (docs/plugins/authorization-request-validator.md, par-validator.md).
 */

export type RequestRulesConfig = Static<typeof RequestRules>;

/** A refusal: an OAuth error code of the authorisation endpoint and its description. */
export interface RuleRefusal {
  error: OAuthErrorCode;
  description: string;
}

/** Built-in: every required parameter is there, no forbidden scope value is asked for. */
export function requestRulesRefusal(
  rules: RequestRulesConfig,
  params: Readonly<Record<string, string>>,
  scope: readonly string[],
): RuleRefusal | undefined {
  for (const name of rules.requiredParameters ?? [])
    if (params[name] === undefined) return { error: 'invalid_request', description: `Missing parameter: ${name}` };
  const forbidden = rules.forbiddenScopes ? scope.filter((v) => rules.forbiddenScopes!.includes(v)) : [];
  if (forbidden.length > 0)
    return { error: 'invalid_scope', description: `The scope may not be requested: ${forbidden.join(' ')}` };
  return undefined;
}

/**
 * Members a webhook may set or remove: what the request asks of the end-user
 * and of the tokens. Never where the response goes or how it is protected
 * (client_id, redirect_uri, response_type, response_mode, state, nonce,
 * PKCE): the client relies on those as it sent them.
 */
export const MODIFIABLE_PARAMS: ReadonlySet<string> = new Set([
  'scope',
  'acr_values',
  'prompt',
  'max_age',
  'display',
  'claims',
  'login_hint',
  'ui_locales',
  'claims_locales',
]);

/** Codes a webhook may refuse with (RFC 6749 §4.1.2.1, OpenID Connect Core §3.1.2.6). */
const REFUSAL_CODES: ReadonlySet<string> = new Set<OAuthErrorCode>([
  'invalid_request',
  'invalid_scope',
  'access_denied',
  'unauthorized_client',
  'unsupported_response_type',
  'interaction_required',
  'login_required',
  'consent_required',
  'account_selection_required',
  'invalid_request_object',
]);

/** RFC 6749 §5.2: error_description is %x20-21 / %x23-5B / %x5D-7E. */
const DESCRIPTION = /^[\x20\x21\x23-\x5B\x5D-\x7E]{1,256}$/;

export type ValidatorVerdict =
  | { kind: 'accept' }
  | { kind: 'modify'; changes: Record<string, string | null> }
  | { kind: 'refuse'; refusal: RuleRefusal };

/** Parameters never sent to a webhook: a token, and the request object already unpacked into the others. */
const WITHHELD = new Set(['request', 'id_token_hint']);

/** The webhook payload: `{client_id, params}`. */
function payloadOf(clientId: string, params: Readonly<Record<string, string>>): Record<string, unknown> {
  const sent: Record<string, string> = {};
  for (const [name, value] of Object.entries(params)) if (!WITHHELD.has(name)) sent[name] = value;
  return { client_id: clientId, params: sent };
}

/** The answer read strictly: anything else is a broken webhook, not a decision. */
function verdictOf(answer: Record<string, unknown>): ValidatorVerdict | string {
  if (answer.error !== undefined) {
    if (typeof answer.error !== 'string' || !REFUSAL_CODES.has(answer.error))
      return `error must be one of ${[...REFUSAL_CODES].join(', ')}`;
    const given = answer.error_description;
    if (given !== undefined && (typeof given !== 'string' || !DESCRIPTION.test(given)))
      return 'error_description must be 1-256 printable ASCII characters without " or \\';
    const description = (given as string | undefined) ?? "The tenant's request policy refuses the request";
    return { kind: 'refuse', refusal: { error: answer.error as OAuthErrorCode, description } };
  }
  if (answer.params === undefined) return { kind: 'accept' };
  const params = answer.params;
  if (typeof params !== 'object' || params === null || Array.isArray(params)) return 'params must be an object';
  const changes: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(params)) {
    if (!MODIFIABLE_PARAMS.has(name)) return `params.${name} may not be changed`;
    if (value !== null && typeof value !== 'string') return `params.${name} must be a string or null`;
    changes[name] = value;
  }
  return { kind: 'modify', changes };
}

/**
 * Ask the tenant's webhook about a request. Both slots fail closed: a failed
 * call, and an answer that is not one of the documented three, are a 503
 * temporarily_unavailable (the private detail says which).
 */
export async function askRequestValidator(
  invoker: SlotInvoker,
  tid: string,
  slot: 'authorizationRequestValidator' | 'parValidator',
  target: SlotTargetConfig,
  clientId: string,
  params: Readonly<Record<string, string>>,
): Promise<ValidatorVerdict> {
  const answer = await callSlotTarget(invoker, tid, slot, target, payloadOf(clientId, params));
  const verdict = answer === undefined ? 'no answer' : verdictOf(answer);
  if (typeof verdict !== 'string') return verdict;
  const title = slot === 'parValidator' ? 'PAR validator' : 'authorisation request validator';
  throw new HttpError(503, 'temporarily_unavailable', `The tenant's ${title} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': '5' },
    detail: `${slot} webhook answered out of contract: ${verdict}`,
  });
}

/** The parameters with the webhook's changes: a string sets a member, null removes it. */
export function withChanges(
  params: Readonly<Record<string, string>>,
  changes: Record<string, string | null>,
): Record<string, string> {
  const out = { ...params };
  for (const [name, value] of Object.entries(changes)) {
    if (value === null) delete out[name];
    else out[name] = value;
  }
  return out;
}
