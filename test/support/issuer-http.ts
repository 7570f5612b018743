/*
 * Requests to a listening data plane by issuer URL (tenant resolution from
 * the URL, no header), as a client of a tenant served under several URLs
 * would make them.
 */

export const basicAuth = (id: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** Discovery under `issuer`: the `issuer` it names, or the error code. */
export async function discoveredIssuer(issuer: string): Promise<string> {
  const res = await fetch(`${issuer}/.well-known/openid-configuration`);
  const body = (await res.json()) as { issuer?: string; error?: string };
  return res.status === 200 ? body.issuer! : `${res.status} ${body.error}`;
}

export async function postForm(
  url: string,
  params: Record<string, string>,
  auth: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
    body: new URLSearchParams(params).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

export async function directAuthz(
  issuer: string,
  apiToken: string,
  body: Record<string, unknown>,
): Promise<{ access_token: string; refresh_token?: string }> {
  const res = await fetch(`${issuer}/direct-authz/rest/v2`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiToken}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`direct authz under ${issuer}: ${res.status} ${await res.text()}`);
  return (await res.json()) as { access_token: string; refresh_token?: string };
}

/** The `iss` of a JWT (not verified: the tests check it was minted for the right issuer). */
export const jwtIssuer = (jwt: string): unknown =>
  JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')).iss;
