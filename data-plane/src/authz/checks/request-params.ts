import { type Check, type IncomingRequest, refuse, type TrustedRequest } from './authz-check.ts';

/** Parameters that may be repeated (RFC 8707 `resource`). */
const REPEATABLE = new Set(['resource']);
/** The longest query accepted (a request object by value fits well inside). */
const MAX_QUERY = 64 * 1024;

/**
 * Split a query string into single values; names of repeated parameters are
 * returned apart. The values of a repeatable one are joined with spaces (a
 * URI holds none: oauth/resource-indicators.ts splits them again).
 */
export function queryParams(query: string): { params: Record<string, string>; repeated: string[] } {
  const params: Record<string, string> = {};
  const repeated = new Set<string>();
  for (const [name, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)) {
    if (name === '__proto__') continue;
    const seen = Object.hasOwn(params, name);
    if (seen && !REPEATABLE.has(name)) repeated.add(name);
    if (value !== '') params[name] = seen && REPEATABLE.has(name) ? `${params[name]} ${value}` : value;
  }
  return { params, repeated: [...repeated] };
}

export const checkRequestSize: Check<IncomingRequest> = (s) =>
  s.query.length > MAX_QUERY ? refuse('invalid_request', 'The request is too large') : undefined;

/** Reads the query; `client_id` must be there once, as it names whom a request object is from. */
export const checkQuery: Check<IncomingRequest> = (s) => {
  const { params, repeated } = queryParams(s.query);
  s.params = params;
  s.repeated = repeated;
  return repeated.includes('client_id') ? refuse('invalid_request', 'The client_id parameter is repeated') : undefined;
};

/** A request object or pushed request replaces the query's parameters (authz/request-source.ts); its errors are its own. */
export const checkRequestSource: Check<IncomingRequest> = async (s) => {
  const resolved = await s.deps.resolve(s.params);
  if (!resolved.ok) return refuse(resolved.error, resolved.description);
  s.params = resolved.params;
  s.source = resolved.source;
  // A request object's claims are single-valued JSON: only the query can repeat a parameter.
  if (resolved.source !== 'query') s.repeated = [];
  return undefined;
};

/** Every other repeated parameter (RFC 6749 §3.1), reported once the error can be redirected. */
export const checkRepeatedParams: Check<TrustedRequest> = (s) =>
  s.repeated.length > 0 ? refuse('invalid_request', `Repeated parameter: ${s.repeated.join(', ')}`) : undefined;
