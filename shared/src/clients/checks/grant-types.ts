import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { stringArray } from './values.ts';

/**
 * Grant types a client must authenticate for, so a public client (`none`) cannot register them.
 * `password` too: a public client's password grant is an open door to guess passwords through,
 * with nothing but the end-user's address to count guesses by (RFC 9700 §2.4 forbids the grant).
 */
const CONFIDENTIAL_GRANTS: ReadonlySet<string> = new Set([
  'client_credentials',
  'urn:openid:params:grant-type:ciba',
  'password',
]);

/** The set of words of a response type, e.g. "code id_token" → {code, id_token}. */
export function responseTypeWords(value: string): Set<string> | undefined {
  const words = value.split(' ');
  const set = new Set(words);
  if (set.size !== words.length || words.some((w) => w === '')) return undefined;
  return set;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((w) => b.has(w));

/** RFC 7591 §2.1: enabled for the tenant (default authorization_code), not empty. */
export const checkGrantTypes: MetadataCheck = (s) => {
  const grantTypes = has(s, 'grant_types') ? stringArray(s.body.grant_types, 'grant_types') : ['authorization_code'];
  if (grantTypes.length === 0) fail('grant_types must not be empty');
  for (const grant of grantTypes) {
    if (!s.options.supportedGrantTypes.includes(grant)) fail(`grant type "${grant}" is not enabled for this tenant`);
  }
  s.grantTypes = grantTypes;
  s.metadata.grant_types = grantTypes;
};

/** Well-formed, supported (as sets of words), none twice; default code for the authorization_code grant. */
export const checkResponseTypes: MetadataCheck = (s) => {
  if (!has(s, 'response_types')) {
    s.metadata.response_types = s.grantTypes.includes('authorization_code') ? ['code'] : [];
    return;
  }
  const supported = s.options.supportedResponseTypes;
  const list = stringArray(s.body.response_types, 'response_types');
  const seen: Set<string>[] = [];
  for (const type of list) {
    const words = responseTypeWords(type);
    if (!words) fail(`response_types has a malformed value "${type}"`);
    const set = words as Set<string>;
    if (supported) {
      if (
        !supported.some((t) => {
          const w = responseTypeWords(t);
          return w !== undefined && sameSet(w, set);
        })
      ) {
        fail(`response type "${type}" is not supported (supported: ${supported.join(', ') || 'none'})`);
      }
    } else if (
      !(set.size === 1 && set.has('none')) &&
      ![...set].every((w) => w === 'code' || w === 'token' || w === 'id_token')
    ) {
      fail(`response type "${type}" is not supported`);
    }
    if (seen.some((x) => sameSet(x, set))) fail(`response_types lists "${type}" twice`);
    seen.push(set);
  }
  s.metadata.response_types = list;
};

/** RFC 7591 §2.1: the response types and the grant types must go together. */
export const checkGrantsMatchResponseTypes: MetadataCheck = (s) => {
  const words = (s.metadata.response_types ?? []).map((t) => responseTypeWords(t)!);
  const wantsCode = words.some((w) => w.has('code'));
  const wantsImplicit = words.some((w) => w.has('token') || w.has('id_token'));
  const grants = s.grantTypes;
  if (wantsCode && !grants.includes('authorization_code'))
    fail('response type "code" requires the authorization_code grant type');
  if (wantsImplicit && !grants.includes('implicit'))
    fail('response types with "token" or "id_token" require the implicit grant type');
  if (grants.includes('authorization_code') && !wantsCode)
    fail('the authorization_code grant type requires a response type with "code"');
  if (grants.includes('implicit') && !wantsImplicit)
    fail('the implicit grant type requires a response type with "token" or "id_token"');
};

export const checkPublicClientGrants: MetadataCheck = (s) => {
  if (s.authMethod !== 'none') return;
  const confidential = s.grantTypes.find((g) => CONFIDENTIAL_GRANTS.has(g));
  if (confidential)
    fail(`a public client (token_endpoint_auth_method "none") cannot use the ${confidential} grant type`);
};
