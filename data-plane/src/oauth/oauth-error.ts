import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import { HttpError } from '@tessera/shared/http/errors';

export interface OAuthErrorOptions {
  status?: number;
  basicChallenge?: string;
  challenge?: string;
  /** Private: logged with the request id, never sent (see HttpError). */
  detail?: string;
  cause?: unknown;
}

/**
 * An RFC 6749 §5.2 error: 400, except invalid_client (401). A challenge only
 * for the scheme the client used (`basicChallenge`: the realm, where it sent
 * Basic; `challenge`: any other header value): a Basic challenge answering
 * an assertion or a form secret makes RP libraries such as openid-client
 * report a challenge and hide the invalid_client. The code is one of the
 * standards' (error-codes.ts): OAuth endpoints answer RFC error objects only.
 */
export function oauthError(error: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}): HttpError {
  const status = options.status ?? (error === 'invalid_client' ? 401 : 400);
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' };
  const challenge =
    options.basicChallenge !== undefined ? `Basic realm="${options.basicChallenge}"` : options.challenge;
  if (challenge) headers['www-authenticate'] = challenge;
  return new HttpError(status, error, description, { headers, detail: options.detail, cause: options.cause });
}

/**
 * The form parameters of an OAuth request as single strings. A parameter
 * sent twice is an invalid_request (RFC 6749 §3.1, §3.2), but for RFC 8707's
 * `resource`, whose values are joined with spaces; a body that is not a form
 * is an invalid_request too.
 */
export function formParams(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body))
    throw oauthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  const params: Record<string, string> = {};
  const form = body as Record<string, unknown>;
  // Own names only (a form object inherits none); no entry arrays on the token endpoint's path.
  const names = Object.keys(form);
  for (let i = 0; i < names.length; i++) {
    const name = names[i]!;
    const value = form[name];
    if (Array.isArray(value)) {
      // RFC 8707 §2: `resource` may be repeated; its values travel space-joined (a URI holds no space).
      if (name !== 'resource' || !value.every((v) => typeof v === 'string'))
        throw oauthError('invalid_request', `The parameter ${name} is repeated`);
      const joined = value.filter((v) => v !== '').join(' ');
      if (joined !== '') params[name] = joined;
      continue;
    }
    if (typeof value !== 'string')
      throw oauthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
    if (value !== '') params[name] = value;
  }
  return params;
}
