import { HttpError } from '@tessera/shared/http/errors';

/** An RFC 6749 §5.2 error: 400, except invalid_client (401, with a challenge where the client used Basic). */
export function oauthError(error: string, description: string, options: { status?: number; basicChallenge?: string } = {}): HttpError {
  const status = options.status ?? (error === 'invalid_client' ? 401 : 400);
  const headers: Record<string, string> = { 'cache-control': 'no-store', pragma: 'no-cache' };
  if (status === 401) headers['www-authenticate'] = options.basicChallenge ? `Basic realm="${options.basicChallenge}"` : 'Basic';
  return new HttpError(status, error, description, { headers });
}

/**
 * The form parameters of an OAuth request as single strings. A parameter
 * sent twice is an invalid_request (RFC 6749 §3.1, §3.2); a body that is not
 * a form is too.
 */
export function formParams(body: unknown): Record<string, string> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw oauthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  const params: Record<string, string> = {};
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (Array.isArray(value)) throw oauthError('invalid_request', `The parameter ${name} is repeated`);
    if (typeof value !== 'string') throw oauthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
    if (value !== '') params[name] = value;
  }
  return params;
}
