/** The longest resource identifier kept (the column's width). */
export const RESOURCE_INDICATOR_MAX = 255;

/**
 * Why a value is not an RFC 8707 §2 resource indicator, if it is not: it
 * must be an absolute URI without a fragment. Printable ASCII only, no
 * spaces: identifiers are compared exactly, and several travel
 * space-separated inside the request (oauth/resource-indicators.ts).
 */
export function resourceIndicatorProblem(value: string): string | undefined {
  if (value.length === 0 || value.length > RESOURCE_INDICATOR_MAX)
    return `must be 1 to ${RESOURCE_INDICATOR_MAX} characters`;
  if (!/^[\x21-\x7E]+$/.test(value)) return 'must be printable ASCII without spaces';
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value) || !URL.canParse(value)) return 'must be an absolute URI';
  if (value.includes('#')) return 'must not have a fragment';
  return undefined;
}
