import type { Static } from '@sinclair/typebox';
import type { ScopeFilter } from '@tessera/shared/plugins/slots/introspection-composer';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import { badAnswer, isObject } from './slot-answer.ts';
import { slotConfigOf } from './slot-config.ts';

type Response = Record<string, unknown>;

/** Members of an active answer the composer cannot change: whether, until when, since when and by whom the token is valid. */
const KEPT = ['active', 'exp', 'iat', 'iss'] as const;

/** Built-in: a listed resource server sees only its listed scope values; one not listed sees the scope as it is. */
function filterScope(config: Static<typeof ScopeFilter>, response: Response, resourceServer: string): Response {
  const allowed = config.scopesByResourceServer[resourceServer];
  if (!allowed || typeof response.scope !== 'string') return response;
  const scope = response.scope.split(' ').filter((s) => allowed.includes(s));
  return { ...response, scope: scope.join(' ') };
}

/**
 * The webhook composer (docs/plugins/introspection-composer.md): POST
 * `{response, resource_server}`, answer `{response}`. Only active answers
 * are sent: an inactive token stays `{active: false}` and the webhook never
 * learns of it. The answer may drop, change or add members, and may turn the
 * token inactive (`active: false`, answered as exactly that); it cannot
 * make it active again or change `exp`, `iat` or `iss`. Fails closed.
 */
async function composeByWebhook(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotTargetConfig,
  response: Response,
  resourceServer: string | undefined,
): Promise<Response> {
  const answer = (await callSlotTarget(webhooks, tid, 'introspectionComposer', config, {
    response,
    resource_server: resourceServer ?? null,
  }))!;
  const composed = answer.response;
  if (!isObject(composed)) throw badAnswer('introspectionComposer', 'the answer has no response object');
  if (composed.active !== true) return { active: false };
  const out: Response = { ...composed };
  for (const name of KEPT) {
    if (name in response) out[name] = response[name];
    else delete out[name];
  }
  return out;
}

/**
 * The introspection answer shaped by the tenant's composer, for the
 * resource server asking (the authenticated client; undefined for a bearer
 * caller). Untouched, with no await, when the slot is not configured or the
 * token is not active.
 */
export function composeIntrospection(
  context: TenantContext,
  webhooks: SlotInvoker,
  response: Response,
  resourceServer: string | undefined,
): Response | Promise<Response> {
  const config = slotConfigOf(context, 'introspectionComposer');
  if (!config || response.active !== true) return response;
  if (config.type === 'builtin')
    return resourceServer === undefined ? response : filterScope(config, response, resourceServer);
  return composeByWebhook(webhooks, context.tenant.tid, config, response, resourceServer);
}
