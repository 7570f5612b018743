/** Connect2id's alias-independent scope value that opens the introspection endpoint to a bearer token. */
export const INTROSPECTION_SCOPE = 'urn:c2id:introspection_endpoint';
const INTROSPECTION_PATH = '/token/introspect';

/**
 * Scope values that open the introspection endpoint: Connect2id's URN, or an
 * issuer's introspection URL. Any issuer's, not only the current one: an
 * alias can be added later, and a token granted the value early must not
 * become a key then.
 */
export function isIntrospectionScope(value: string): boolean {
  return value === INTROSPECTION_SCOPE || value.endsWith(INTROSPECTION_PATH);
}

/** Whether a bearer token with scope `scp` may introspect at `issuer`. */
export function opensIntrospection(scp: readonly string[], issuer: string): boolean {
  return scp.includes(INTROSPECTION_SCOPE) || scp.includes(`${issuer}${INTROSPECTION_PATH}`);
}
