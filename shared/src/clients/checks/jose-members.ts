import { algorithmsFor, type JoseUse, joseAlgorithm } from '../../jose/algorithms.ts';
import { fail, has, hasSecret, type MetadataCheck, type MetadataState } from './metadata-check.ts';
import { boolean, string } from './values.ts';

/**
 * The JOSE algorithm members (OpenID Connect Registration §2, RFC 9101
 * §10.5, JARM §3), each checked against the JOSE registry for its use
 * (shared/src/jose/algorithms.ts).
 */

/** The specs' content encryption when only the algorithm is registered. */
const DEFAULT_ENC = 'A128CBC-HS256';

/**
 * A JWS algorithm `member` for `use`: HMAC ones need a client secret;
 * `none` where `none` allows it, else refused with its words.
 */
function signingAlg(s: MetadataState, member: string, use: JoseUse, none: true | string): string | undefined {
  if (!has(s, member)) return undefined;
  const alg = string(s.body[member], member);
  const kind = joseAlgorithm(alg)?.uses.includes(use) ? joseAlgorithm(alg)!.kind : undefined;
  if (alg === 'none') {
    if (none !== true) fail(none);
  } else if (kind === 'hmac') {
    if (!hasSecret(s)) fail(`${member} "${alg}" needs a client secret, which a ${s.authMethod} client does not have`);
  } else if (kind !== 'signature') {
    fail(`${member} "${alg}" is not a known JWS algorithm`);
  }
  s.metadata[member] = alg;
  return alg;
}

/** An asymmetric algorithm the tenant signs with must be one it has keys for. */
function tenantHasKey(s: MetadataState, member: string, alg: string | undefined): void {
  const supported = s.options.idTokenSigningAlgs;
  if (alg && joseAlgorithm(alg)?.kind === 'signature' && supported && !supported.includes(alg)) {
    fail(`${member} "${alg}" is not supported (supported: ${supported.join(', ')})`);
  }
}

/** A JWE `alg` / `enc` pair for `use`; `enc` defaults when only `alg` is given, and needs `alg`. */
function encryption(s: MetadataState, algMember: string, encMember: string, use: JoseUse): void {
  if (has(s, encMember) && !has(s, algMember)) fail(`${encMember} requires ${algMember}`);
  if (!has(s, algMember)) return;
  const algs = algorithmsFor(use, 'key-management');
  const alg = string(s.body[algMember], algMember);
  if (!algs.includes(alg)) fail(`${algMember} "${alg}" is not supported (supported: ${algs.join(', ')})`);
  if (joseAlgorithm(alg)?.clientSecret && !hasSecret(s))
    fail(`${algMember} "${alg}" needs a client secret, which a ${s.authMethod} client does not have`);
  s.metadata[algMember] = alg;
  const enc = has(s, encMember) ? string(s.body[encMember], encMember) : DEFAULT_ENC;
  if (!algorithmsFor(use, 'content-encryption').includes(enc)) fail(`${encMember} "${enc}" is not supported`);
  s.metadata[encMember] = enc;
}

export const checkIdTokenSigningAlg: MetadataCheck = (s) => {
  // Core §3.1.3.7 allows unsigned ID tokens in the code flow only; we never issue them (no
  // signature means nothing ties the token to us once it leaves the TLS answer), so refuse it
  // here rather than accept a registration no flow can serve. Discovery does not list "none".
  const none = 'id_token_signed_response_alg "none" is not supported: ID tokens are always signed';
  tenantHasKey(s, 'id_token_signed_response_alg', signingAlg(s, 'id_token_signed_response_alg', 'id-token', none));
};

export const checkRequestObjectSigningAlg: MetadataCheck = (s) => {
  signingAlg(s, 'request_object_signing_alg', 'request-object', true);
};

export const checkAuthorizationSigningAlg: MetadataCheck = (s) => {
  const alg = signingAlg(
    s,
    'authorization_signed_response_alg',
    'jarm',
    'authorization_signed_response_alg must not be "none"',
  );
  tenantHasKey(s, 'authorization_signed_response_alg', alg);
};

export const checkRequestObjectEncryption: MetadataCheck = (s) =>
  encryption(s, 'request_object_encryption_alg', 'request_object_encryption_enc', 'request-object-encryption');

export const checkAuthorizationEncryption: MetadataCheck = (s) =>
  encryption(s, 'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc', 'client-encryption');

export const checkUserinfoSigningAlg: MetadataCheck = (s) => {
  const alg = signingAlg(
    s,
    'userinfo_signed_response_alg',
    'userinfo',
    'userinfo_signed_response_alg must not be "none"',
  );
  tenantHasKey(s, 'userinfo_signed_response_alg', alg);
};

export const checkIdTokenEncryption: MetadataCheck = (s) =>
  encryption(s, 'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'client-encryption');

export const checkUserinfoEncryption: MetadataCheck = (s) =>
  encryption(s, 'userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc', 'client-encryption');

/** Connect2id `id_token_explicit_typ`: a boolean (ID tokens then carry an explicit `typ`). */
export const checkIdTokenExplicitTyp: MetadataCheck = (s) => {
  if (has(s, 'id_token_explicit_typ'))
    s.metadata.id_token_explicit_typ = boolean(s.body.id_token_explicit_typ, 'id_token_explicit_typ');
};
