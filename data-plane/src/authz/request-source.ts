import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

export type ResolvedParams =
  | { ok: true; params: Record<string, string>; fromObject: boolean }
  | { ok: false; error: string; description: string };

/**
 * Where the parameters of an authorisation request come from: the query
 * itself, a request object (`request`, RFC 9101) or a pushed / referenced
 * one (`request_uri`, RFC 9126 / 9101). Request objects are decoded by
 * request-object.ts and pushed requests by pushed-requests.ts.
 */
export async function resolveRequestObject(
  _context: TenantContext,
  _issuer: string,
  _deps: DataPlaneDeps,
  params: Record<string, string>,
): Promise<ResolvedParams> {
  if (params.request !== undefined) return { ok: false, error: 'request_not_supported', description: 'Request objects are not supported yet' };
  if (params.request_uri !== undefined) return { ok: false, error: 'request_uri_not_supported', description: 'request_uri is not supported yet' };
  return { ok: true, params, fromObject: false };
}
