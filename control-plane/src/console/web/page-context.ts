import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Html } from './html.ts';
import type { Viewer } from './layout.ts';

/** An answer of the control-plane API, as a page sees it. */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

/**
 * Who is signed in (`viewer.role`: the role the control plane decided for
 * this very request), and the API as that user: every call goes through the
 * same auth hook as any other client's.
 */
export interface PageContext {
  viewer: Viewer;
  api<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: unknown,
  ): Promise<ApiAnswer<T>>;
}

export type PageResult = { title: string; body: Html; status?: number } | { redirect: string };

/** One console page or form action: a row of the table in pages/index.ts. */
export interface ConsolePage {
  method: 'GET' | 'POST';
  /** A fastify path under /console. */
  path: string;
  handle(ctx: PageContext, request: FastifyRequest): Promise<PageResult>;
}

/** The API, called in-process with the user's bearer token (fastify inject: the full request path, auth included). */
export function apiAs(app: FastifyInstance, accessToken: string): PageContext['api'] {
  return async (method, url, payload) => {
    const res = await app.inject({
      method,
      url,
      headers: {
        authorization: `Bearer ${accessToken}`,
        ...(payload !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
    });
    const body = res.body === '' ? {} : safeJson(res.body);
    return { status: res.statusCode, body: body as never };
  };
}

const safeJson = (text: string): unknown => {
  try {
    return JSON.parse(text);
  } catch {
    return { error: 'unexpected_answer', error_description: text.slice(0, 200) };
  }
};

/** Roles that may change tenants (a hint for which buttons to show; the API decides). */
export const canOperate = (role: string) => role === 'operator' || role === 'owner' || role === 'admin';
export const canWrite = (role: string) => role !== 'viewer';
export const enc = encodeURIComponent;
