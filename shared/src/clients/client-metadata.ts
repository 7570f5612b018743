import { algorithmNames, algorithmsFor, joseAlgorithm } from '../jose/algorithms.ts';
import type { ClientMetadata } from './client.ts';

/**
 * Client metadata validation for dynamic registration (RFC 7591 §2, RFC 7592
 * §2.2, OpenID Connect Dynamic Client Registration §2) with Connect2id's
 * extensions and URI policy (connect2id-apis.md §10.3).
 *
 * The validator is pure: it knows nothing of the store or the caller. It
 * returns the metadata to store (defaults filled in, request-only members
 * removed) or the RFC 7591 error code and a description saying what is wrong.
 */

export const TOKEN_ENDPOINT_AUTH_METHODS = [
  'client_secret_basic',
  'client_secret_post',
  'client_secret_jwt',
  'private_key_jwt',
  'none',
] as const;

/** Authentication methods for which the server issues (and keeps) a client secret. */
const SECRET_AUTH_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post', 'client_secret_jwt']);

/** Members only the server sets (RFC 7591 §3.2.1, RFC 7592 §3). */
export const SERVER_MANAGED_MEMBERS = [
  'client_id',
  'client_secret',
  'client_id_issued_at',
  'client_secret_expires_at',
  'registration_access_token',
  'registration_client_uri',
] as const;

/** Connect2id members this server does not implement; kept out so a secret never lands in plain metadata. */
const UNSUPPORTED_MEMBERS: Record<string, string> = {
  preferred_client_secret: 'preferred_client_secret is not supported: the server generates client secrets',
  encoded_client_secret: 'encoded_client_secret is read-only and not supported',
};

/** JWS algorithms from the JOSE registry (shared/src/jose/algorithms.ts). */
const ASYMMETRIC_ALGS: ReadonlySet<string> = new Set(algorithmNames((a) => a.kind === 'signature'));
const HMAC_ALGS: ReadonlySet<string> = new Set(algorithmNames((a) => a.kind === 'hmac'));

/**
 * Grant types a client must authenticate for, so a public client (`none`) cannot register them.
 * `password` too: a public client's password grant is an open door to guess passwords through,
 * with nothing but the end-user's address to count guesses by (RFC 9700 §2.4 forbids the grant).
 */
const CONFIDENTIAL_GRANTS: ReadonlySet<string> = new Set(['client_credentials', 'urn:openid:params:grant-type:ciba', 'password']);

/** JWK members that carry private or symmetric key material. */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k', 'priv'] as const;

/** Schemes refused in every URI member (script and inline-content injection). */
const DANGEROUS_SCHEMES: ReadonlySet<string> = new Set(['javascript', 'data', 'vbscript']);
/** Schemes that are not private-use app schemes, refused for native redirect URIs. */
const NON_APP_SCHEMES: ReadonlySet<string> = new Set(['file', 'about', 'blob', 'filesystem', 'ftp', 'ws', 'wss']);
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Query parameters the authorisation response adds; a redirect URI carrying them is ambiguous (Connect2id 14.5). */
const RESERVED_REDIRECT_PARAMS = ['code', 'state', 'response'] as const;

/** Request objects, PAR, JARM and pairwise subjects: checked by frontChannelMembers below. */
const FRONT_CHANNEL_MEMBERS = [
  'subject_type', 'sector_identifier_uri', 'request_uris', 'require_pushed_authorization_requests', 'require_signed_request_object',
  'request_object_signing_alg', 'request_object_encryption_alg', 'request_object_encryption_enc',
  'authorization_signed_response_alg', 'authorization_encrypted_response_alg', 'authorization_encrypted_response_enc',
  'id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', 'id_token_explicit_typ',
  'userinfo_signed_response_alg', 'userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc',
] as const;
/** Key management algorithms a request object may be encrypted to the tenant with (its RSA encryption keys). */
const REQUEST_OBJECT_JWE_ALGS: ReadonlySet<string> = new Set(algorithmsFor('request-object-encryption', 'key-management'));
/** Key management algorithms for JWTs the server encrypts to a client. */
const CLIENT_JWE_ALGS: ReadonlySet<string> = new Set(algorithmsFor('client-encryption', 'key-management'));
const JWE_ENCS: ReadonlySet<string> = new Set(algorithmsFor('client-encryption', 'content-encryption'));
/** Provider-managed pairwise sectors (Connect2id): no document is fetched for them. */
export const PROVIDER_SECTOR_URN = /^urn:c2id:sector_id:[A-Za-z0-9._~-]{1,200}$/;

/** Members with rules of their own above; every other member is an extension, kept as sent. */
const HANDLED_MEMBERS: ReadonlySet<string> = new Set([
  ...SERVER_MANAGED_MEMBERS,
  ...Object.keys(UNSUPPORTED_MEMBERS),
  'refresh_client_secret', 'preferred_client_id', 'data',
  'redirect_uris', 'post_logout_redirect_uris', 'token_endpoint_auth_method', 'token_endpoint_auth_signing_alg',
  'grant_types', 'response_types', 'application_type', 'id_token_signed_response_alg',
  'client_name', 'client_uri', 'logo_uri', 'tos_uri', 'policy_uri', 'scope', 'contacts',
  'jwks_uri', 'jwks', 'software_id', 'software_version',
  ...FRONT_CHANNEL_MEMBERS,
]);

/** Human-readable members that may carry a BCP 47 language tag (`client_name#fr`, RFC 7591 §2.2). */
const LOCALISABLE = /^(client_name|client_uri|logo_uri|tos_uri|policy_uri)#([A-Za-z0-9]+(?:-[A-Za-z0-9]+)*)$/;
const SCOPE = /^[\x21\x23-\x5B\x5D-\x7E]+(?: [\x21\x23-\x5B\x5D-\x7E]+)*$/;
const PREFERRED_CLIENT_ID = /^[A-Za-z0-9._~-]{1,80}$/;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** ASCII whitespace and controls: never part of a URI, and browsers strip some of them (`java\tscript:`). */
const URI_FORBIDDEN_CHARS = /[\x00-\x20\x7F]/;

export type ClientMetadataError = 'invalid_client_metadata' | 'invalid_redirect_uri';

export interface ClientMetadataOptions {
  /** The request carries the master token: `preferred_client_id` and `data` are allowed. */
  privileged: boolean;
  /** Grant types the tenant enables. */
  supportedGrantTypes: readonly string[];
  /** Token endpoint authentication methods the server accepts. */
  supportedAuthMethods: readonly string[];
  /** Response types the tenant enables (compared as sets of words); any combination of code/token/id_token when absent. */
  supportedResponseTypes?: readonly string[];
  /** ID token signing algorithms the tenant has keys for; any known one when absent. HS* do not need keys (and `none` is refused). */
  idTokenSigningAlgs?: readonly string[];
  /**
   * `register` (RFC 7591, default): server-managed members are refused.
   * `update` (RFC 7592 PUT): `client_id` is required and `client_secret` allowed
   * (both returned for the caller to compare); `registration_access_token`,
   * `registration_client_uri`, `client_id_issued_at` and
   * `client_secret_expires_at` are ignored, as RFC 7592 §2.2 requires.
   */
  mode?: 'register' | 'update';
  /** Update mode: the client's current sector_identifier_uri, which it may keep without the master token. */
  currentSectorIdentifierUri?: string;
}

export type ClientMetadataResult =
  | {
      ok: true;
      /** The metadata to store, with RFC 7591 defaults filled in. */
      metadata: ClientMetadata;
      /** Connect2id `preferred_client_id` (registration with the master token only). */
      preferredClientId?: string;
      /** Connect2id `refresh_client_secret: true` (meaningful on update). */
      refreshClientSecret: boolean;
      /** Update mode: the `client_id` and `client_secret` the request carried. */
      clientId?: string;
      clientSecret?: string;
    }
  | { ok: false; error: ClientMetadataError; description: string };

/** True when clients with this metadata are issued a client secret. */
export const issuesSecret = (metadata: ClientMetadata): boolean =>
  SECRET_AUTH_METHODS.has(metadata.token_endpoint_auth_method ?? 'client_secret_basic');

class Invalid extends Error {
  readonly error: ClientMetadataError;

  constructor(error: ClientMetadataError, description: string) {
    super(description);
    this.error = error;
  }
}

const fail = (description: string, error: ClientMetadataError = 'invalid_client_metadata'): never => {
  throw new Invalid(error, description);
};

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function string(value: unknown, member: string, error: ClientMetadataError = 'invalid_client_metadata'): string {
  if (typeof value !== 'string') return fail(`${member} must be a string`, error);
  if (value.length === 0) return fail(`${member} must not be empty`, error);
  return value;
}

function stringArray(value: unknown, member: string, error: ClientMetadataError = 'invalid_client_metadata'): string[] {
  if (!Array.isArray(value)) return fail(`${member} must be an array of strings`, error);
  const seen = new Set<string>();
  for (const item of value) {
    string(item, `every member of ${member}`, error);
    if (seen.has(item as string)) fail(`${member} lists "${item as string}" twice`, error);
    seen.add(item as string);
  }
  return value as string[];
}

const schemeOf = (uri: string): string | undefined => SCHEME.exec(uri)?.[1]?.toLowerCase();

/** Common URI checks: no whitespace or controls, absolute, not a script scheme. Returns the lower-case scheme. */
function uriBasics(uri: string, member: string, error: ClientMetadataError): string {
  if (URI_FORBIDDEN_CHARS.test(uri)) return fail(`${member} must not contain whitespace or control characters`, error);
  const scheme = schemeOf(uri);
  if (!scheme) return fail(`${member} must be an absolute URI: ${uri}`, error);
  if (DANGEROUS_SCHEMES.has(scheme)) return fail(`${member} must not use the ${scheme}: scheme`, error);
  return scheme;
}

function parse(uri: string, member: string, error: ClientMetadataError): URL {
  try {
    return new URL(uri);
  } catch {
    return fail(`${member} is not a valid URI: ${uri}`, error);
  }
}

/** A page URI (client_uri, logo_uri, policy_uri, tos_uri) or jwks_uri: http(s) with a host. */
function webUri(value: unknown, member: string, options: { httpsOnly: boolean; noFragment: boolean }): string {
  const uri = string(value, member);
  const scheme = uriBasics(uri, member, 'invalid_client_metadata');
  const allowed = options.httpsOnly ? scheme === 'https' : scheme === 'https' || scheme === 'http';
  if (!allowed) fail(`${member} must be an ${options.httpsOnly ? 'https' : 'http or https'} URI`);
  if (!/^[A-Za-z]+:\/\/[^/?#]/.test(uri)) fail(`${member} must be an absolute URI with a host: ${uri}`);
  const url = parse(uri, member, 'invalid_client_metadata');
  if (url.username || url.password) fail(`${member} must not contain user information`);
  if (options.noFragment && uri.includes('#')) fail(`${member} must not contain a fragment`);
  return uri;
}

/**
 * A redirection URI (or post-logout redirection URI): absolute, no fragment,
 * none of the parameters the response adds; web clients https (http only on
 * localhost / loopback), native clients a private-use scheme, loopback http or
 * a claimed https URI (RFC 8252 §7).
 */
function redirectUri(value: unknown, member: string, applicationType: string, error: ClientMetadataError): string {
  const uri = string(value, `every member of ${member}`, error);
  const scheme = uriBasics(uri, member, error);
  if (uri.includes('#')) fail(`${member} must not contain a fragment: ${uri}`, error);
  const url = parse(uri, member, error);
  if (url.username || url.password) fail(`${member} must not contain user information: ${uri}`, error);
  for (const name of RESERVED_REDIRECT_PARAMS) {
    if (url.searchParams.has(name)) fail(`${member} must not contain the query parameter "${name}": ${uri}`, error);
  }
  if (scheme === 'http' || scheme === 'https') {
    if (!/^[A-Za-z]+:\/\/[^/?#]/.test(uri)) fail(`${member} must be an absolute URI with a host: ${uri}`, error);
    if (scheme === 'http' && !LOOPBACK_HOSTS.has(url.hostname)) {
      fail(`${member} must use https (http only for localhost, 127.0.0.1 or [::1]): ${uri}`, error);
    }
    return uri;
  }
  if (applicationType === 'web') fail(`${member} of a web client must use https (http only for localhost or loopback): ${uri}`, error);
  if (NON_APP_SCHEMES.has(scheme)) fail(`${member} must not use the ${scheme}: scheme`, error);
  return uri;
}

/** The set of words of a response type, e.g. "code id_token" → {code, id_token}. */
function responseTypeWords(value: string): Set<string> | undefined {
  const words = value.split(' ');
  const set = new Set(words);
  if (set.size !== words.length || words.some((w) => w === '')) return undefined;
  return set;
}

const sameSet = (a: Set<string>, b: Set<string>) => a.size === b.size && [...a].every((w) => b.has(w));

function responseTypes(value: unknown, supported: readonly string[] | undefined): string[] {
  const list = stringArray(value, 'response_types');
  const seen: Set<string>[] = [];
  for (const type of list) {
    const words = responseTypeWords(type);
    if (!words) fail(`response_types has a malformed value "${type}"`);
    const set = words as Set<string>;
    if (supported) {
      if (!supported.some((s) => { const w = responseTypeWords(s); return w !== undefined && sameSet(w, set); })) {
        fail(`response type "${type}" is not supported (supported: ${supported.join(', ') || 'none'})`);
      }
    } else if (!(set.size === 1 && set.has('none')) && ![...set].every((w) => w === 'code' || w === 'token' || w === 'id_token')) {
      fail(`response type "${type}" is not supported`);
    }
    if (seen.some((s) => sameSet(s, set))) fail(`response_types lists "${type}" twice`);
    seen.push(set);
  }
  return list;
}

function jwkSet(value: unknown): { keys: Array<Record<string, unknown>> } {
  if (!isObject(value) || !Array.isArray(value.keys)) return fail('jwks must be a JWK set: an object with a "keys" array');
  if (value.keys.length === 0) fail('jwks must contain at least one key');
  for (const [i, key] of (value.keys as unknown[]).entries()) {
    if (!isObject(key) || typeof key.kty !== 'string' || key.kty === '') return fail(`jwks key #${i} is not a JWK (no "kty")`);
    if (key.kty === 'oct') fail(`jwks key #${i} is a symmetric key; only public keys may be registered`);
    const secret = PRIVATE_JWK_MEMBERS.find((m) => Object.hasOwn(key, m));
    if (secret) fail(`jwks key #${i} contains the private member "${secret}"; only public keys may be registered`);
  }
  return value as { keys: Array<Record<string, unknown>> };
}

const boolean = (value: unknown, member: string): boolean => (typeof value === 'boolean' ? value : fail(`${member} must be a boolean`));

/**
 * Pairwise subjects (OpenID Connect Core §8, Registration §2), request
 * objects (RFC 9101 §10.5, Registration §2), PAR (RFC 9126 §6) and JARM
 * (§3) members. The sector identifier document itself is fetched by the
 * registration endpoint (it is the one place that may do I/O).
 */
function frontChannelMembers(body: Record<string, unknown>, metadata: ClientMetadata, authMethod: string, options: ClientMetadataOptions): void {
  const has = (name: string) => Object.hasOwn(body, name);
  const hasSecret = SECRET_AUTH_METHODS.has(authMethod);
  if (has('subject_type')) {
    const type = string(body.subject_type, 'subject_type');
    if (type !== 'public' && type !== 'pairwise') fail('subject_type must be "public" or "pairwise"');
    metadata.subject_type = type;
  }
  if (has('sector_identifier_uri')) {
    const uri = string(body.sector_identifier_uri, 'sector_identifier_uri');
    if (uri.startsWith('urn:')) {
      if (!PROVIDER_SECTOR_URN.test(uri)) fail('sector_identifier_uri must be an https URL or urn:c2id:sector_id:<id>');
      if (!options.privileged && uri !== options.currentSectorIdentifierUri) fail('a provider-managed sector_identifier_uri requires the registration master token');
    } else {
      webUri(uri, 'sector_identifier_uri', { httpsOnly: true, noFragment: true });
    }
    metadata.sector_identifier_uri = uri;
  }
  if (metadata.subject_type === 'pairwise' && metadata.sector_identifier_uri === undefined) {
    const hosts = new Set((metadata.redirect_uris ?? []).map((u) => { try { return new URL(u).host; } catch { return u; } }));
    if (hosts.size > 1) fail('a pairwise client with redirect_uris on several hosts must register a sector_identifier_uri');
  }
  if (has('request_uris')) {
    const uris = stringArray(body.request_uris, 'request_uris');
    for (const uri of uris) webUri(uri, 'request_uris', { httpsOnly: true, noFragment: false });
    metadata.request_uris = uris;
  }
  for (const member of ['require_pushed_authorization_requests', 'require_signed_request_object'] as const) {
    if (has(member)) metadata[member] = boolean(body[member], member);
  }
  const signingAlg = (member: string, allowNone: boolean) => {
    if (!has(member)) return;
    const alg = string(body[member], member);
    if (alg === 'none') {
      if (!allowNone) fail(`${member} must not be "none"`);
    } else if (HMAC_ALGS.has(alg)) {
      if (!hasSecret) fail(`${member} "${alg}" needs a client secret, which a ${authMethod} client does not have`);
    } else if (!ASYMMETRIC_ALGS.has(alg)) {
      fail(`${member} "${alg}" is not a known JWS algorithm`);
    }
    metadata[member] = alg;
  };
  signingAlg('request_object_signing_alg', true);
  if (metadata.require_signed_request_object === true && metadata.request_object_signing_alg === 'none') {
    fail('require_signed_request_object contradicts request_object_signing_alg "none"');
  }
  signingAlg('authorization_signed_response_alg', false);
  const alg = metadata.authorization_signed_response_alg as string | undefined;
  if (alg && ASYMMETRIC_ALGS.has(alg) && options.idTokenSigningAlgs && !options.idTokenSigningAlgs.includes(alg)) {
    fail(`authorization_signed_response_alg "${alg}" is not supported (supported: ${options.idTokenSigningAlgs.join(', ')})`);
  }
  const encryption = (algMember: string, encMember: string, algs: ReadonlySet<string>) => {
    if (has(encMember) && !has(algMember)) fail(`${encMember} requires ${algMember}`);
    if (!has(algMember)) return;
    const a = string(body[algMember], algMember);
    if (!algs.has(a)) fail(`${algMember} "${a}" is not supported (supported: ${[...algs].join(', ')})`);
    if (joseAlgorithm(a)?.clientSecret && !hasSecret) fail(`${algMember} "${a}" needs a client secret, which a ${authMethod} client does not have`);
    metadata[algMember] = a;
    // The specs' default content encryption when only the algorithm is registered.
    const e = has(encMember) ? string(body[encMember], encMember) : 'A128CBC-HS256';
    if (!JWE_ENCS.has(e)) fail(`${encMember} "${e}" is not supported`);
    metadata[encMember] = e;
  };
  encryption('request_object_encryption_alg', 'request_object_encryption_enc', REQUEST_OBJECT_JWE_ALGS);
  encryption('authorization_encrypted_response_alg', 'authorization_encrypted_response_enc', CLIENT_JWE_ALGS);
  // ID tokens and UserInfo responses (OpenID Connect Registration §2): the same algorithms as JARM.
  signingAlg('userinfo_signed_response_alg', false);
  const userinfoAlg = metadata.userinfo_signed_response_alg as string | undefined;
  if (userinfoAlg && ASYMMETRIC_ALGS.has(userinfoAlg) && options.idTokenSigningAlgs && !options.idTokenSigningAlgs.includes(userinfoAlg)) {
    fail(`userinfo_signed_response_alg "${userinfoAlg}" is not supported (supported: ${options.idTokenSigningAlgs.join(', ')})`);
  }
  encryption('id_token_encrypted_response_alg', 'id_token_encrypted_response_enc', CLIENT_JWE_ALGS);
  encryption('userinfo_encrypted_response_alg', 'userinfo_encrypted_response_enc', CLIENT_JWE_ALGS);
  if (has('id_token_explicit_typ')) metadata.id_token_explicit_typ = boolean(body.id_token_explicit_typ, 'id_token_explicit_typ');
}

/** Unknown members are kept, but a URI-named one (`*_uri`, `*_uris`) may not carry a script scheme either. */
function checkExtensionMember(name: string, value: unknown): void {
  if (!/_uris?$/.test(name)) return;
  const values = Array.isArray(value) ? value : [value];
  for (const v of values) {
    if (typeof v !== 'string') continue;
    const scheme = schemeOf(v.replace(/[\x00-\x20\x7F]/g, ''));
    if (scheme && DANGEROUS_SCHEMES.has(scheme)) fail(`${name} must not use the ${scheme}: scheme`);
  }
}

function check(input: unknown, options: ClientMetadataOptions): Omit<Extract<ClientMetadataResult, { ok: true }>, 'ok'> {
  if (!isObject(input)) return fail('The client metadata must be a JSON object');
  const update = options.mode === 'update';
  // JSON null means "not set": drop such members before anything else.
  const body: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (name === '__proto__') fail('The member name "__proto__" is not allowed');
    if (value !== null) body[name] = value;
  }
  const has = (name: string) => Object.hasOwn(body, name);
  const result: Omit<Extract<ClientMetadataResult, { ok: true }>, 'ok'> = { metadata: {}, refreshClientSecret: false };

  // Server-managed members.
  for (const name of SERVER_MANAGED_MEMBERS) {
    if (!has(name)) continue;
    if (update && name === 'client_id') result.clientId = string(body[name], 'client_id');
    else if (update && name === 'client_secret') result.clientSecret = string(body[name], 'client_secret');
    else if (!update) fail(`${name} is assigned by the server and must not be sent`);
    // update: the other four are ignored (RFC 7592 §2.2)
  }
  if (update && result.clientId === undefined) fail('client_id is required in an update request (RFC 7592 §2.2)');
  for (const [name, why] of Object.entries(UNSUPPORTED_MEMBERS)) if (has(name)) fail(why);

  // Connect2id request directives and privileged members.
  if (has('refresh_client_secret')) {
    if (typeof body.refresh_client_secret !== 'boolean') fail('refresh_client_secret must be a boolean');
    result.refreshClientSecret = update && body.refresh_client_secret === true;
  }
  if (has('preferred_client_id')) {
    if (!options.privileged) fail('preferred_client_id requires the registration master token');
    if (update) fail('preferred_client_id can only be given at registration');
    const id = string(body.preferred_client_id, 'preferred_client_id');
    if (!PREFERRED_CLIENT_ID.test(id)) fail('preferred_client_id must be at most 80 characters of A-Z a-z 0-9 . _ ~ -');
    result.preferredClientId = id;
  }
  const metadata: ClientMetadata = {};
  if (has('data')) {
    if (!options.privileged) fail('data requires the registration master token');
    if (!isObject(body.data)) fail('data must be a JSON object');
    metadata.data = body.data as Record<string, unknown>;
  }

  // application_type first: the redirect URI policy depends on it.
  const applicationType = has('application_type') ? string(body.application_type, 'application_type') : 'web';
  if (applicationType !== 'web' && applicationType !== 'native') fail('application_type must be "web" or "native"');
  metadata.application_type = applicationType;

  // Authentication at the token endpoint.
  const authMethod = has('token_endpoint_auth_method') ? string(body.token_endpoint_auth_method, 'token_endpoint_auth_method') : 'client_secret_basic';
  if (!(TOKEN_ENDPOINT_AUTH_METHODS as readonly string[]).includes(authMethod)) fail(`token_endpoint_auth_method "${authMethod}" is unknown`);
  if (!options.supportedAuthMethods.includes(authMethod)) fail(`token_endpoint_auth_method "${authMethod}" is not supported`);
  metadata.token_endpoint_auth_method = authMethod;
  if (has('token_endpoint_auth_signing_alg')) {
    const alg = string(body.token_endpoint_auth_signing_alg, 'token_endpoint_auth_signing_alg');
    if (authMethod === 'private_key_jwt' && !ASYMMETRIC_ALGS.has(alg)) fail(`token_endpoint_auth_signing_alg "${alg}" is not an asymmetric JWS algorithm for private_key_jwt`);
    else if (authMethod === 'client_secret_jwt' && !HMAC_ALGS.has(alg)) fail(`token_endpoint_auth_signing_alg "${alg}" is not an HMAC algorithm for client_secret_jwt`);
    else if (authMethod !== 'private_key_jwt' && authMethod !== 'client_secret_jwt') fail('token_endpoint_auth_signing_alg is only for client_secret_jwt and private_key_jwt');
    metadata.token_endpoint_auth_signing_alg = alg;
  }

  // Grant and response types (RFC 7591 §2.1).
  const grantTypes = has('grant_types') ? stringArray(body.grant_types, 'grant_types') : ['authorization_code'];
  if (grantTypes.length === 0) fail('grant_types must not be empty');
  for (const grant of grantTypes) {
    if (!options.supportedGrantTypes.includes(grant)) fail(`grant type "${grant}" is not enabled for this tenant`);
  }
  metadata.grant_types = grantTypes;
  const responseTypeList = has('response_types')
    ? responseTypes(body.response_types, options.supportedResponseTypes)
    : grantTypes.includes('authorization_code') ? ['code'] : [];
  metadata.response_types = responseTypeList;
  const responseWords = responseTypeList.map((t) => responseTypeWords(t)!);
  const wantsCode = responseWords.some((w) => w.has('code'));
  const wantsImplicit = responseWords.some((w) => w.has('token') || w.has('id_token'));
  if (wantsCode && !grantTypes.includes('authorization_code')) fail('response type "code" requires the authorization_code grant type');
  if (wantsImplicit && !grantTypes.includes('implicit')) fail('response types with "token" or "id_token" require the implicit grant type');
  if (grantTypes.includes('authorization_code') && !wantsCode) fail('the authorization_code grant type requires a response type with "code"');
  if (grantTypes.includes('implicit') && !wantsImplicit) fail('the implicit grant type requires a response type with "token" or "id_token"');
  if (authMethod === 'none') {
    const confidential = grantTypes.find((g) => CONFIDENTIAL_GRANTS.has(g));
    if (confidential) fail(`a public client (token_endpoint_auth_method "none") cannot use the ${confidential} grant type`);
  }

  // Redirection URIs.
  const redirecting = grantTypes.includes('authorization_code') || grantTypes.includes('implicit');
  if (has('redirect_uris')) {
    const uris = stringArray(body.redirect_uris, 'redirect_uris', 'invalid_redirect_uri');
    for (const uri of uris) redirectUri(uri, 'redirect_uris', applicationType, 'invalid_redirect_uri');
    if (applicationType === 'web' && grantTypes.includes('implicit')) {
      // OpenID Connect Registration §2: implicit web clients register https only, never localhost.
      for (const uri of uris) {
        if (schemeOf(uri) !== 'https' || LOOPBACK_HOSTS.has(new URL(uri).hostname)) {
          fail(`redirect_uris of a web client using the implicit grant must be https and not localhost: ${uri}`, 'invalid_redirect_uri');
        }
      }
    }
    metadata.redirect_uris = uris;
  }
  if (redirecting && (metadata.redirect_uris?.length ?? 0) === 0) {
    fail('redirect_uris is required for the authorization_code and implicit grant types', 'invalid_redirect_uri');
  }
  if (has('post_logout_redirect_uris')) {
    const uris = stringArray(body.post_logout_redirect_uris, 'post_logout_redirect_uris');
    for (const uri of uris) redirectUri(uri, 'post_logout_redirect_uris', applicationType, 'invalid_client_metadata');
    metadata.post_logout_redirect_uris = uris;
  }

  // Keys.
  if (has('jwks') && has('jwks_uri')) fail('jwks and jwks_uri must not both be present');
  if (has('jwks_uri')) metadata.jwks_uri = webUri(body.jwks_uri, 'jwks_uri', { httpsOnly: true, noFragment: true });
  if (has('jwks')) metadata.jwks = jwkSet(body.jwks);
  if (authMethod === 'private_key_jwt' && !metadata.jwks && !metadata.jwks_uri) fail('private_key_jwt requires jwks or jwks_uri');

  // ID tokens.
  if (has('id_token_signed_response_alg')) {
    const alg = string(body.id_token_signed_response_alg, 'id_token_signed_response_alg');
    if (alg === 'none') {
      // Core §3.1.3.7 allows unsigned ID tokens in the code flow only; we never issue them (no
      // signature means nothing ties the token to us once it leaves the TLS answer), so refuse it
      // here rather than accept a registration no flow can serve. Discovery does not list "none".
      fail('id_token_signed_response_alg "none" is not supported: ID tokens are always signed');
    } else if (HMAC_ALGS.has(alg)) {
      if (!SECRET_AUTH_METHODS.has(authMethod)) fail(`id_token_signed_response_alg "${alg}" needs a client secret, which a ${authMethod} client does not have`);
    } else if (!ASYMMETRIC_ALGS.has(alg)) {
      fail(`id_token_signed_response_alg "${alg}" is not a known JWS algorithm`);
    } else if (options.idTokenSigningAlgs && !options.idTokenSigningAlgs.includes(alg)) {
      fail(`id_token_signed_response_alg "${alg}" is not supported (supported: ${options.idTokenSigningAlgs.join(', ')})`);
    }
    metadata.id_token_signed_response_alg = alg;
  }

  frontChannelMembers(body, metadata, authMethod, options);

  // Descriptive members.
  if (has('client_name')) metadata.client_name = string(body.client_name, 'client_name');
  for (const member of ['client_uri', 'logo_uri', 'tos_uri', 'policy_uri'] as const) {
    if (has(member)) metadata[member] = webUri(body[member], member, { httpsOnly: false, noFragment: false });
  }
  if (has('scope')) {
    const scope = string(body.scope, 'scope');
    if (!SCOPE.test(scope)) fail('scope must be scope tokens separated by single spaces');
    metadata.scope = scope;
  }
  if (has('contacts')) {
    const contacts = stringArray(body.contacts, 'contacts');
    for (const contact of contacts) {
      const scheme = schemeOf(contact.replace(/[\x00-\x20\x7F]/g, ''));
      if (scheme && DANGEROUS_SCHEMES.has(scheme)) fail(`contacts must not use the ${scheme}: scheme`);
    }
    metadata.contacts = contacts;
  }
  if (has('software_id')) metadata.software_id = string(body.software_id, 'software_id');
  if (has('software_version')) metadata.software_version = string(body.software_version, 'software_version');

  // Everything else: language-tagged variants are checked like their base member; unknown members are kept.
  for (const [name, value] of Object.entries(body)) {
    if (HANDLED_MEMBERS.has(name)) continue;
    const localised = LOCALISABLE.exec(name);
    if (localised) {
      metadata[name] = localised[1] === 'client_name' ? string(value, name) : webUri(value, name, { httpsOnly: false, noFragment: false });
      continue;
    }
    checkExtensionMember(name, value);
    metadata[name] = value;
  }
  result.metadata = metadata;
  return result;
}

/**
 * Validate client metadata from a registration (RFC 7591) or update
 * (RFC 7592) request. Errors use the RFC 7591 codes: `invalid_redirect_uri`
 * for redirection URIs, `invalid_client_metadata` for everything else.
 */
export function validateClientMetadata(input: unknown, options: ClientMetadataOptions): ClientMetadataResult {
  try {
    return { ok: true, ...check(input, options) };
  } catch (err) {
    if (err instanceof Invalid) return { ok: false, error: err.error, description: err.message };
    throw err;
  }
}
