/**
 * The OpenID Connect `claims` request parameter (Core §5.5) and the claims
 * the standard scope values stand for (Core §5.4).
 */

export interface ClaimRequest {
  essential?: boolean;
  value?: unknown;
  values?: unknown[];
}

/** `{userinfo: {name: {...}|null}, id_token: {...}}`, already checked. */
export interface ClaimsRequest {
  userinfo?: Record<string, ClaimRequest | null>;
  id_token?: Record<string, ClaimRequest | null>;
}

export const SCOPE_CLAIMS: Readonly<Record<string, readonly string[]>> = {
  profile: [
    'name',
    'family_name',
    'given_name',
    'middle_name',
    'nickname',
    'preferred_username',
    'profile',
    'picture',
    'website',
    'gender',
    'birthdate',
    'zoneinfo',
    'locale',
    'updated_at',
  ],
  email: ['email', 'email_verified'],
  address: ['address'],
  phone: ['phone_number', 'phone_number_verified'],
};

/** Every claim name the standard scopes cover, for discovery's `claims_supported`. */
export const STANDARD_CLAIMS: readonly string[] = ['sub', ...Object.values(SCOPE_CLAIMS).flat()];

/** Claims the registered ID token / session members already carry; never released as user claims. */
export const REGISTERED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'sid',
  'at_hash',
  'c_hash',
  's_hash',
  'jti',
  'nbf',
]);

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parse and check the `claims` parameter; a string describing the problem when it is malformed. */
export function parseClaimsRequest(raw: string): ClaimsRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return 'The claims parameter is not valid JSON';
  }
  if (!isObject(value)) return 'The claims parameter must be a JSON object';
  const result: ClaimsRequest = {};
  for (const [member, entries] of Object.entries(value)) {
    // Other members (e.g. verified_claims) are ignored, as Core §5.5 allows for unknown ones.
    if (member !== 'userinfo' && member !== 'id_token') continue;
    if (!isObject(entries)) return `claims.${member} must be a JSON object`;
    const out: Record<string, ClaimRequest | null> = {};
    for (const [name, request] of Object.entries(entries)) {
      if (name === '__proto__') return 'claims must not name __proto__';
      if (request === null) {
        out[name] = null;
        continue;
      }
      if (!isObject(request)) return `claims.${member}.${name} must be null or a JSON object`;
      if (request.essential !== undefined && typeof request.essential !== 'boolean')
        return `claims.${member}.${name}.essential must be a boolean`;
      if (request.values !== undefined && !Array.isArray(request.values))
        return `claims.${member}.${name}.values must be an array`;
      out[name] = request as ClaimRequest;
    }
    result[member] = out;
  }
  return result;
}

/** Claim names (without language tags) the scope stands for. */
export function claimsForScope(scope: readonly string[]): string[] {
  return [...new Set(scope.flatMap((s) => SCOPE_CLAIMS[s] ?? []))];
}

/** The requested claims, split into essential and voluntary (the consent prompt's `claims.new`). */
export function requestedClaims(
  scope: readonly string[],
  claims: ClaimsRequest | undefined,
): { essential: string[]; voluntary: string[] } {
  const essential = new Set<string>();
  const all = new Set<string>(scope.includes('openid') ? claimsForScope(scope) : []);
  for (const target of [claims?.userinfo, claims?.id_token]) {
    for (const [name, request] of Object.entries(target ?? {})) {
      if (REGISTERED_CLAIMS.has(name)) continue;
      all.add(name);
      if (request?.essential) essential.add(name);
    }
  }
  return { essential: [...essential], voluntary: [...all].filter((c) => !essential.has(c)) };
}

/**
 * The values of `wanted` claims from `source`, honouring language-tagged
 * variants (`name#de`): with preferred `locales`, the first tagged variant
 * present is released under the plain name too.
 */
export function selectClaims(
  source: Record<string, unknown>,
  wanted: readonly string[],
  locales: readonly string[] = [],
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const entry of wanted) {
    const [name, tag] = entry.split('#') as [string, string | undefined];
    if (REGISTERED_CLAIMS.has(name)) continue;
    if (tag !== undefined) {
      if (source[entry] !== undefined) out[entry] = source[entry];
      continue;
    }
    const localised = locales.map((l) => source[`${name}#${l}`]).find((v) => v !== undefined);
    if (localised !== undefined) out[name] = localised;
    else if (source[name] !== undefined) out[name] = source[name];
  }
  return out;
}
