import { HttpError } from '@tessera/shared/http/errors';
import { SLOTS_BY_NAME, type SlotName } from '@tessera/shared/plugins/slots/index';

/** A JSON object (not an array, not null). */
export const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * A fail-closed slot's webhook answered 2xx with JSON that is not the
 * documented answer: the same 503 temporarily_unavailable as a failed call
 * (call-slot.ts), since the tenant's logic could not decide; the detail
 * (logged, never sent) says what was wrong.
 */
export function badAnswer(slotName: SlotName, detail: string): HttpError {
  const slot = SLOTS_BY_NAME.get(slotName)!;
  return new HttpError(503, 'temporarily_unavailable', `The tenant's ${slot.title.toLowerCase()} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': '5' },
    detail: `${slotName} webhook invalid_answer: ${detail}`,
  });
}

/** The slot's config names a kind this node has no implementation of (e.g. `ldap` where it is not installed). */
export function unavailableKind(slotName: SlotName, type: string): HttpError {
  const slot = SLOTS_BY_NAME.get(slotName)!;
  return new HttpError(503, 'temporarily_unavailable', `The tenant's ${slot.title.toLowerCase()} is unavailable`, {
    headers: { 'cache-control': 'no-store', 'retry-after': '30' },
    detail: `${slotName} type ${type} is not installed on this node`,
  });
}
