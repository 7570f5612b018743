import type { SlotName } from '@tessera/shared/plugins/slots/index';
import { badAnswer } from './slot-answer.ts';

/**
 * Names a plugin may not set among an access token's claims (or the extra
 * members introspection shows for them): the registered JWT claims, the
 * token's client and scope in both spellings, and the members introspection
 * and UserInfo read back (token-inspection.ts).
 */
const RESERVED: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'nbf',
  'iat',
  'jti',
  'cnf',
  'act',
  'cid',
  'client_id',
  'scp',
  'scope',
  'active',
  'token_type',
  'clm',
  'cll',
  'uip',
  'dat',
]);

/** At most this many claims from a plugin, serialised at most this long: the token stays a header's size. */
const MAX_CLAIMS = 50;
const MAX_JSON = 16_384;

/**
 * The claims a plugin asked to add to an access token, less any reserved
 * name; undefined when none is left. Too many or too big: the slot's
 * answer is refused (badAnswer).
 */
export function pluginClaims(slot: SlotName, claims: Record<string, unknown>): Record<string, unknown> | undefined {
  const names = Object.keys(claims).filter((name) => !RESERVED.has(name));
  if (names.length === 0) return undefined;
  if (names.length > MAX_CLAIMS) throw badAnswer(slot, `more than ${MAX_CLAIMS} claims`);
  const out: Record<string, unknown> = {};
  for (const name of names) out[name] = claims[name];
  if (JSON.stringify(out).length > MAX_JSON) throw badAnswer(slot, `claims over ${MAX_JSON} characters`);
  return out;
}
