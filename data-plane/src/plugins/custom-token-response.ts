import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import type { TokenResponse } from '../tokens/token-response.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import { isObject } from './slot-answer.ts';
import { slotConfigOf } from './slot-config.ts';

/** The token values a webhook never sees. */
const SECRET_MEMBERS: ReadonlySet<string> = new Set(['access_token', 'refresh_token', 'id_token']);

const MEMBER_NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;
const MAX_MEMBERS = 20;

/**
 * A webhook's members: each a valid name not already in the response (a
 * standard member is never replaced), a string, number or boolean — like
 * the built-in's; anything else is ignored (the slot fails open).
 */
function acceptedMembers(response: TokenResponse, members: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  let count = 0;
  for (const name of Object.keys(members)) {
    const value = members[name];
    if (!MEMBER_NAME.test(name) || name in response || count >= MAX_MEMBERS) continue;
    if (typeof value === 'string' ? value.length > 1024 : typeof value !== 'number' && typeof value !== 'boolean')
      continue;
    out[name] = value;
    count++;
  }
  return out;
}

async function membersByWebhook(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotTargetConfig,
  grantType: string,
  clientId: string,
  response: TokenResponse,
): Promise<TokenResponse> {
  const shown: Record<string, unknown> = {};
  for (const name of Object.keys(response))
    if (!SECRET_MEMBERS.has(name)) shown[name] = (response as unknown as Record<string, unknown>)[name];
  const answer = await callSlotTarget(webhooks, tid, 'customTokenResponse', config, {
    grant_type: grantType,
    client_id: clientId,
    response: shown,
  });
  if (!answer || !isObject(answer.members)) return response;
  return { ...response, ...acceptedMembers(response, answer.members) };
}

/**
 * A successful token response with the tenant's extra members
 * (docs/plugins/custom-token-response.md): the built-in's fixed `members`,
 * or the webhook's, which sees the response without its token values. The
 * slot fails open: a webhook that fails leaves the response as it is. The
 * same object, with no await, when the slot is not configured.
 */
export function customTokenResponse(
  context: TenantContext,
  webhooks: SlotInvoker,
  grantType: string,
  clientId: string,
  response: TokenResponse,
): TokenResponse | Promise<TokenResponse> {
  const config = slotConfigOf(context, 'customTokenResponse');
  if (!config) return response;
  if (config.type === 'builtin') return { ...acceptedMembers(response, config.members), ...response };
  return membersByWebhook(webhooks, context.tenant.tid, config, grantType, clientId, response);
}
