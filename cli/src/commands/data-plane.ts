import { apiError, send } from '../client.ts';

/**
 * One call to a tenant's data plane at its issuer with an integration API
 * token; a non-2xx answer becomes the mapped CLI error (a 401 points at the
 * API token, not the control-plane credential).
 */
export async function dataPlaneCall<T = unknown>(
  issuer: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await send(issuer, token, method, path, body);
  if (res.status >= 300) throw apiError(res, '--api-token or TESSERA_API_TOKEN');
  return res.body as T;
}
