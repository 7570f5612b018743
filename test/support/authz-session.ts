/*
 * Drives the authorisation session API (/authz-sessions/rest/v3) over HTTP
 * as a login page would: start with the raw query, submit the subject at
 * `auth`, the consent at `consent`, end with the `response` message.
 */

export type Message = Record<string, unknown> & {
  type: string;
  sid?: string;
  mode?: string;
  parameters?: { uri: string; form?: Record<string, string> };
  sub_sid?: string;
};

export async function sessionApi(
  issuer: string,
  apiToken: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Message }> {
  const res = await fetch(`${issuer}/authz-sessions/rest/v3${path}`, {
    method,
    headers: {
      authorization: `Bearer ${apiToken}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Message };
}

/** Run a whole flow; returns every message seen, the last one being the final answer. */
export async function completeFlow(
  issuer: string,
  apiToken: string,
  query: string,
  options: { sub?: string; subSid?: string; auth?: Record<string, unknown>; consent?: Record<string, unknown> } = {},
): Promise<{ messages: Message[]; final: Message }> {
  const messages: Message[] = [];
  let res = await sessionApi(issuer, apiToken, 'POST', '', {
    query,
    ...(options.subSid ? { sub_sid: options.subSid } : {}),
  });
  for (;;) {
    if (res.status !== 200) throw new Error(`authz session API: ${res.status} ${JSON.stringify(res.body)}`);
    messages.push(res.body);
    const m = res.body;
    if (m.type === 'auth')
      res = await sessionApi(issuer, apiToken, 'PUT', `/${m.sid}`, {
        sub: options.sub ?? 'alice',
        amr: ['pwd'],
        acr: 'urn:test:basic',
        ...options.auth,
      });
    else if (m.type === 'consent')
      res = await sessionApi(issuer, apiToken, 'PUT', `/${m.sid}`, { scope: '*', claims: '*', ...options.consent });
    else return { messages, final: m };
  }
}

/** The parameters of a final message's redirect URI (query or fragment) or form. */
export function responseParams(message: Message): Record<string, string> {
  const p = message.parameters!;
  if (p.form) return p.form;
  const url = new URL(p.uri);
  const raw = message.mode?.startsWith('fragment') ? url.hash.slice(1) : url.search.slice(1);
  return Object.fromEntries(new URLSearchParams(raw));
}
