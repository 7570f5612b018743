import { fail, has, type MetadataCheck } from './metadata-check.ts';
import { webUri } from './uris.ts';
import { isObject } from './values.ts';

/** JWK members that carry private or symmetric key material. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

function jwkSet(value: unknown): { keys: Array<Record<string, unknown>> } {
  if (!isObject(value) || !Array.isArray(value.keys))
    return fail('jwks must be a JWK set: an object with a "keys" array');
  if (value.keys.length === 0) fail('jwks must contain at least one key');
  for (const [i, key] of (value.keys as unknown[]).entries()) {
    if (!isObject(key) || typeof key.kty !== 'string' || key.kty === '')
      return fail(`jwks key #${i} is not a JWK (no "kty")`);
    if (key.kty === 'oct') fail(`jwks key #${i} is a symmetric key; only public keys may be registered`);
    const secret = PRIVATE_JWK_MEMBERS.find((m) => Object.hasOwn(key, m));
    if (secret) fail(`jwks key #${i} contains the private member "${secret}"; only public keys may be registered`);
  }
  return value as { keys: Array<Record<string, unknown>> };
}

/** The client's public keys: by value (public members only) or by an https reference, not both. */
export const checkKeys: MetadataCheck = (s) => {
  if (has(s, 'jwks') && has(s, 'jwks_uri')) fail('jwks and jwks_uri must not both be present');
  if (has(s, 'jwks_uri'))
    s.metadata.jwks_uri = webUri(s.body.jwks_uri, 'jwks_uri', { httpsOnly: true, noFragment: true });
  if (has(s, 'jwks')) s.metadata.jwks = jwkSet(s.body.jwks);
};

export const checkPrivateKeyJwtKeys: MetadataCheck = (s) => {
  if (s.authMethod === 'private_key_jwt' && !s.metadata.jwks && !s.metadata.jwks_uri)
    fail('private_key_jwt requires jwks or jwks_uri');
};
