import { FIXED_CLAIMS } from '@tessera/shared/plugins/plugin-checks';
import type { SlotInvoker } from '../ports/slot-invoker.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { callSlotTarget, type SlotTargetConfig } from './call-slot.ts';
import { claimsRenaming } from './jwt-claims-renaming.ts';
import { badAnswer, isObject, unavailableKind } from './slot-answer.ts';
import { slotConfigOf } from './slot-config.ts';

type Claims = Record<string, unknown>;

/**
 * The webhook codec (docs/plugins/jwt-claims-codec.md): POST `{claims}`,
 * answer `{claims}`. The registered claims (iss, sub, aud, exp, nbf, iat,
 * jti, cnf) stay ours whatever the answer says; the answer must still name
 * the client (`cid` or `client_id`), or the token could never be read back.
 * Fails closed: no token rather than one the tenant did not shape.
 */
async function webhookEncode(
  webhooks: SlotInvoker,
  tid: string,
  config: SlotTargetConfig,
  claims: Claims,
): Promise<Claims> {
  const answer = (await callSlotTarget(webhooks, tid, 'jwtClaimsCodec', config, { claims }))!;
  if (!isObject(answer.claims)) throw badAnswer('jwtClaimsCodec', 'the answer has no claims object');
  const out: Claims = { ...answer.claims };
  for (const name of FIXED_CLAIMS) {
    if (name in claims) out[name] = claims[name];
    else delete out[name];
  }
  if (typeof out.cid !== 'string' && typeof out.client_id !== 'string')
    throw badAnswer('jwtClaimsCodec', 'the claims name no client (cid or client_id)');
  return out;
}

/**
 * The claims of a JWT access token as the tenant's codec writes them: as
 * they are when the slot is not configured (the same object, no await),
 * renamed by the built-in, or shaped by the webhook.
 */
export function encodeAccessTokenClaims(
  context: TenantContext,
  webhooks: SlotInvoker | undefined,
  claims: Claims,
): Claims | Promise<Claims> {
  const config = slotConfigOf(context, 'jwtClaimsCodec');
  if (!config) return claims;
  if (config.type === 'builtin') return claimsRenaming(config).encode(claims);
  if (!webhooks) throw unavailableKind('jwtClaimsCodec', 'webhook');
  return webhookEncode(webhooks, context.tenant.tid, config, claims);
}

/**
 * The claims of a JWT access token of ours under the names the product
 * reads: the built-in's renaming reversed. Tokens a webhook shaped are read
 * as they are (`cid`/`client_id`, `scp`/`scope` are both understood).
 */
export function decodeAccessTokenClaims(context: TenantContext, claims: Claims): Claims {
  const config = slotConfigOf(context, 'jwtClaimsCodec');
  return config?.type === 'builtin' ? claimsRenaming(config).decode(claims) : claims;
}
