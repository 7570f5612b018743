/**
 * The claims a directory user may carry: the OpenID Connect Core §5.1
 * standard claims (string ones also with a BCP 47 language tag, e.g.
 * `name#fr`, §5.2) and custom claims. JWT and ID token members the server
 * sets itself are refused, so a stored claim can never override them.
 */

/** The standard claims whose value is one string (Core §5.1). */
export const STRING_CLAIMS: ReadonlySet<string> = new Set([
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
]);
/** String claims whose values are human-readable and so may be language-tagged. */
const LOCALISABLE = new Set([
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'profile',
  'picture',
  'website',
]);
export const BOOLEAN_CLAIMS: ReadonlySet<string> = new Set(['email_verified', 'phone_number_verified']);
const ADDRESS_MEMBERS = new Set(['formatted', 'street_address', 'locality', 'region', 'postal_code', 'country']);
const RESERVED = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'cnf',
  'updated_at',
  'client_id',
  'scope',
  'scp',
  'cid',
]);
const TAGGED = /^([a-z_][a-z0-9_]*)#([A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8})*)$/;
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,127}$/;
const MAX_CLAIMS_JSON = 16_000;

export class ClaimsError extends Error {}

/** Validate a claims object for storage; throws ClaimsError saying what is wrong. */
export function checkClaims(claims: Record<string, unknown>): Record<string, unknown> {
  if (JSON.stringify(claims).length > MAX_CLAIMS_JSON)
    throw new ClaimsError(`claims must be at most ${MAX_CLAIMS_JSON} characters of JSON`);
  for (const [name, value] of Object.entries(claims)) {
    const tagged = TAGGED.exec(name);
    const base = tagged ? tagged[1]! : name;
    if (RESERVED.has(base)) throw new ClaimsError(`the claim "${name}" is set by the server`);
    if (tagged && !LOCALISABLE.has(base)) throw new ClaimsError(`the claim "${base}" cannot carry a language tag`);
    if (!tagged && !NAME.test(name)) throw new ClaimsError(`"${name}" is not a valid claim name`);
    if (STRING_CLAIMS.has(base) && (typeof value !== 'string' || value.length === 0 || value.length > 1000)) {
      throw new ClaimsError(`the claim "${name}" must be a non-empty string`);
    }
    if (BOOLEAN_CLAIMS.has(base) && typeof value !== 'boolean')
      throw new ClaimsError(`the claim "${name}" must be a boolean`);
    if (base === 'birthdate' && !/^(\d{4})(-\d{2}-\d{2})?$|^0000-\d{2}-\d{2}$/.test(value as string)) {
      throw new ClaimsError('birthdate must be YYYY-MM-DD, YYYY or 0000-MM-DD');
    }
    if (base === 'address') {
      if (typeof value !== 'object' || value === null || Array.isArray(value))
        throw new ClaimsError('address must be a JSON object');
      for (const [member, v] of Object.entries(value)) {
        if (!ADDRESS_MEMBERS.has(member) || typeof v !== 'string')
          throw new ClaimsError(`address.${member} is not an address member of type string`);
      }
    }
  }
  return claims;
}
