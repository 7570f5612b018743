import { apiError, send } from '../client.ts';

/** One call to a tenant's data plane at its issuer; a non-2xx answer becomes the mapped CLI error. */
export async function dataPlaneCall<T = unknown>(
  issuer: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await send(issuer, token, method, path, body);
  if (res.status >= 300) throw apiError(res);
  return res.body as T;
}
