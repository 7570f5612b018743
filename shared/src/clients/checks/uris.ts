import { type ClientMetadataError, fail } from './metadata-check.ts';
import { string } from './values.ts';

/** Schemes refused in every URI member (script and inline-content injection). */
export const DANGEROUS_SCHEMES: ReadonlySet<string> = new Set(['javascript', 'data', 'vbscript']);
/** Schemes that are not private-use app schemes, refused for native redirect URIs. */
const NON_APP_SCHEMES: ReadonlySet<string> = new Set(['file', 'about', 'blob', 'filesystem', 'ftp', 'ws', 'wss']);
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]']);
/** Query parameters the authorisation response adds; a redirect URI carrying them is ambiguous (Connect2id 14.5). */
const RESERVED_REDIRECT_PARAMS = ['code', 'state', 'response'] as const;
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;
/** ASCII whitespace and controls: never part of a URI, and browsers strip some of them (`java\tscript:`). */
const URI_FORBIDDEN_CHARS = /[\x00-\x20\x7F]/;

export const schemeOf = (uri: string): string | undefined => SCHEME.exec(uri)?.[1]?.toLowerCase();

/** A script scheme, looked for once whitespace and controls (which browsers strip) are gone. */
export const dangerousScheme = (value: string): string | undefined => {
  const scheme = schemeOf(value.replace(/[\x00-\x20\x7F]/g, ''));
  return scheme && DANGEROUS_SCHEMES.has(scheme) ? scheme : undefined;
};

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
export function webUri(value: unknown, member: string, options: { httpsOnly: boolean; noFragment: boolean }): string {
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
export function redirectUri(
  value: unknown,
  member: string,
  applicationType: string,
  error: ClientMetadataError,
): string {
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
  if (applicationType === 'web')
    fail(`${member} of a web client must use https (http only for localhost or loopback): ${uri}`, error);
  if (NON_APP_SCHEMES.has(scheme)) fail(`${member} must not use the ${scheme}: scheme`, error);
  return uri;
}
