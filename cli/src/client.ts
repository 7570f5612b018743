import { CliError, EXIT, exitCodeForStatus } from './exit-codes.ts';
import type { Profile } from './profile.ts';

/** The control plane's error body: `{error, error_description}`, with `errors` for validation problems. */
export interface ApiErrorBody {
  error?: string;
  error_description?: string;
  errors?: { path: string; message: string }[];
}

export interface ApiResponse {
  status: number;
  body: unknown;
  headers: Headers;
}

/** One request; any answer is returned (callers decide), only a network failure throws (exit 5). */
export async function send(
  base: string,
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<ApiResponse> {
  let res: Response;
  try {
    res = await fetch(base + path, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  } catch (e) {
    const cause = (e as { cause?: { message?: string } }).cause?.message ?? (e as Error).message;
    throw new CliError(`cannot reach ${base}: ${cause}`, EXIT.server);
  }
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON (a proxy's error page): kept as text for the message.
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

/**
 * The error a non-2xx answer becomes: the server's own words, and every
 * problem with its path. A 401 names where the refused credential came from.
 */
export function apiError(res: ApiResponse, credential = 'TESSERA_TOKEN or the profile token'): CliError {
  const b = (typeof res.body === 'object' && res.body !== null ? res.body : {}) as ApiErrorBody;
  const what = b.error_description ?? b.error ?? (typeof res.body === 'string' ? res.body.slice(0, 200) : '');
  const code = exitCodeForStatus(res.status, b.error);
  const prefix = code === EXIT.auth ? 'authentication failed' : `request failed`;
  const hint = res.status === 401 ? ` (check ${credential})` : '';
  return new CliError(
    `${prefix}: ${res.status}${b.error ? ` ${b.error}` : ''}: ${what}${hint}`,
    code,
    (b.errors ?? []).map((p) => `${p.path}: ${p.message}`),
  );
}

/** A client bound to a profile: `call` returns the body of a 2xx answer and throws the mapped error otherwise. */
export function client(profile: Profile) {
  return {
    url: profile.url,
    raw: (method: string, path: string, body?: unknown) => send(profile.url, profile.token, method, path, body),
    async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await send(profile.url, profile.token, method, path, body);
      if (res.status >= 300) throw apiError(res);
      return res.body as T;
    },
  };
}

export type Client = ReturnType<typeof client>;
