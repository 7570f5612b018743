import { BOOLEAN_CLAIMS, ClaimsError, checkClaims, STRING_CLAIMS } from './standard-claims.ts';

/** An entry as ldapts returns it: `dn` and each attribute as a string, a Buffer or a list of them. */
export type LdapEntry = { dn: string } & Record<string, unknown>;

/** The text values of an attribute, found case-insensitively (LDAP attribute names are); binary values are skipped. */
export function attributeValues(entry: LdapEntry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k !== 'dn' && k.toLowerCase() === wanted);
  if (key === undefined) return [];
  const raw = entry[key];
  return (Array.isArray(raw) ? raw : [raw]).filter((v): v is string => typeof v === 'string' && v.length > 0);
}

/** One claim's value from the attribute's values, in the claim's OpenID Connect type. */
function claimValue(claim: string, values: string[]): unknown {
  if (BOOLEAN_CLAIMS.has(claim)) {
    // LDAP's Boolean syntax (RFC 4517 §3.3.3) is TRUE / FALSE.
    const upper = values[0]!.toUpperCase();
    return upper === 'TRUE' ? true : upper === 'FALSE' ? false : undefined;
  }
  // RFC 4517 §3.3.28 Postal Address: lines separated by `$`.
  if (claim === 'address') return { formatted: values[0]!.split('$').join('\n') };
  // A string claim holds one value: a multi-valued attribute gives its first.
  if (STRING_CLAIMS.has(claim) || values.length === 1) return values[0];
  return values;
}

/**
 * The claims of a directory entry by the tenant's mapping (claim name →
 * attribute name). A claim whose attribute is absent, or whose value is not
 * what the claim must be (an empty name, a malformed birthdate, a claim the
 * server sets itself such as `sub`), is left out rather than failing the
 * whole answer: the directory's data is not the caller's fault.
 */
export function claimsFromEntry(entry: LdapEntry, mapping: Record<string, string>): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  for (const [claim, attribute] of Object.entries(mapping)) {
    const values = attributeValues(entry, attribute);
    if (values.length === 0) continue;
    const value = claimValue(claim, values);
    if (value === undefined) continue;
    try {
      checkClaims({ [claim]: value });
      claims[claim] = value;
    } catch (err) {
      if (!(err instanceof ClaimsError)) throw err;
    }
  }
  return claims;
}
