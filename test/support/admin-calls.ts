import { expect } from 'vitest';
import type { InProcessPlanes } from './planes.ts';

/**
 * Control-plane calls as the operator or as an admin JWT minted with the
 * operator key (POST /admin-tokens/rest/v1), for tests of who may do what.
 * `planes` is read on each call, so the helpers may be made before it starts.
 */
export function adminCalls(planes: () => InProcessPlanes) {
  const operator = () => ({ authorization: `Bearer ${planes().s.operatorKey}` });
  /** The minted token's whole answer (access_token, expires_in, tid). */
  const mintToken = async (body: object) => {
    const res = await planes().cp.inject({
      method: 'POST',
      url: '/admin-tokens/rest/v1',
      headers: operator(),
      payload: body,
    });
    expect(res.statusCode).toBe(201);
    return res.json() as { access_token: string; token_type: string; expires_in: number; tid: string | null };
  };
  /** An Authorization header with a freshly minted admin JWT. */
  const mint = async (body: object) => ({ authorization: `Bearer ${(await mintToken(body)).access_token}` });
  const call = (
    headers: Record<string, string>,
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
  ) => planes().cp.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  return { operator, mintToken, mint, call };
}
