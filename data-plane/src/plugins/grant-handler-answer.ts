import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import type { SlotName } from '@tessera/shared/plugins/slots/index';
import { oauthError } from '../oauth/oauth-error.ts';
import { badAnswer, isObject } from './slot-answer.ts';
import { pluginClaims } from './token-claims.ts';

/**
 * The parts of a grant handler's answer (`{"allow": …}`) the token
 * exchange and JWT bearer handlers share (docs/plugins/token-exchange-grant.md,
 * jwt-bearer-grant.md): the decision, a refusal's error, the subject, the
 * scope (narrowing only) and the claims to add. Anything malformed is a bad
 * answer: the slot fails closed (503).
 */

/** RFC 6749 §5.2: error_description is printable ASCII without `"` and `\`. */
export const describable = (value: unknown): value is string =>
  typeof value === 'string' && /^[\x20-\x21\x23-\x5B\x5D-\x7E]{1,256}$/.test(value);

/**
 * `allow` must be a boolean. On `false` throws the refusal: the answer's
 * `error` when it is one of `codes` (default the first), its
 * `error_description` when it is RFC 6749 text, else `fallback`.
 */
export function checkAllowed(
  slot: SlotName,
  answer: Record<string, unknown>,
  codes: readonly OAuthErrorCode[],
  fallback: string,
): void {
  if (typeof answer.allow !== 'boolean') throw badAnswer(slot, 'allow is not a boolean');
  if (answer.allow) return;
  if (answer.error !== undefined && !(codes as readonly unknown[]).includes(answer.error))
    throw badAnswer(slot, `error is not one of ${codes.join(', ')}`);
  const code = (answer.error as OAuthErrorCode | undefined) ?? codes[0]!;
  throw oauthError(code, describable(answer.error_description) ? answer.error_description : fallback);
}

/** Space-separated values or an array of strings; undefined when the member is absent. */
export function answerValues(slot: SlotName, answer: Record<string, unknown>, member: string): string[] | undefined {
  const value = answer[member];
  if (value === undefined) return undefined;
  if (typeof value === 'string') return value.split(' ').filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw badAnswer(slot, `${member} is neither a string nor an array of strings`);
}

/** The answer's scope kept within `granted` (values outside are ignored: it narrows, never widens). */
export function narrowedScope(slot: SlotName, answer: Record<string, unknown>, granted: readonly string[]): string[] {
  const asked = answerValues(slot, answer, 'scope');
  if (asked === undefined) return [...granted];
  const narrowed = new Set(asked);
  return granted.filter((s) => narrowed.has(s));
}

/** The subject the answer maps to, undefined when it keeps Tessera's. */
export function answerSubject(slot: SlotName, answer: Record<string, unknown>): string | undefined {
  const { sub } = answer;
  if (sub === undefined) return undefined;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 255) throw badAnswer(slot, 'sub is not a string');
  return sub;
}

/** Claims to add to the access token, reserved names dropped (token-claims.ts); undefined when none. */
export function answerClaims(slot: SlotName, answer: Record<string, unknown>): Record<string, unknown> | undefined {
  if (answer.claims === undefined) return undefined;
  if (!isObject(answer.claims)) throw badAnswer(slot, 'claims is not an object');
  return pluginClaims(slot, answer.claims);
}
