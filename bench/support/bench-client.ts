import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, type JSONWebKeySet, type JWTPayload, jwtVerify } from 'jose';

export const FORM = 'application/x-www-form-urlencoded';
export const CLIENT_CREDENTIALS = 'grant_type=client_credentials';

/** A token response as the benches check it: a bearer token, and whatever else the server added. */
export type TokenResponse = Record<string, unknown> & { access_token: string; token_type: string };

/**
 * The benches' one confidential client (client_secret_basic,
 * client_credentials): the same id and secret on every server it is
 * registered with. base64url survives form-urlencoding unchanged.
 */
export class BenchClient {
  readonly id = 'bench-client';
  readonly secret = randomBytes(24).toString('base64url');
  readonly basic = `Basic ${Buffer.from(`${this.id}:${this.secret}`).toString('base64')}`;

  /** The headers of a form POST the client authenticates, plus `extra` (e.g. `tenant-id`). */
  headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...extra, authorization: this.basic, 'content-type': FORM };
  }

  /** One client_credentials token from `url`/token; throws unless 200 and a bearer token (a DPoP one with a `dpop` header). */
  async token(url: string, extra: Record<string, string> = {}): Promise<TokenResponse> {
    const response = await fetch(`${url}/token`, {
      method: 'POST',
      headers: this.headers(extra),
      body: CLIENT_CREDENTIALS,
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(
        `POST ${url}/token (${JSON.stringify(extra)}) answered ${response.status}: ${text.slice(0, 300)}`,
      );
    const body = JSON.parse(text) as Record<string, unknown>;
    const type = extra.dpop === undefined ? /^bearer$/i : /^dpop$/i;
    if (typeof body.access_token !== 'string' || !body.access_token || !type.test(String(body.token_type)))
      throw new Error(`POST ${url}/token gave no ${type.source.slice(1, -1)} token: ${text.slice(0, 300)}`);
    return body as TokenResponse;
  }
}

/** Verify an access token JWT with jose against the server's JWK set; its key id and claims. */
export async function verifyJwt(
  what: string,
  token: string,
  jwksUrl: string,
  headers: Record<string, string>,
  alg: string,
  issuer: string,
): Promise<{ kid: string; payload: JWTPayload }> {
  const jwks = (await (await fetch(jwksUrl, { headers })).json()) as JSONWebKeySet;
  try {
    const { protectedHeader, payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      algorithms: [alg],
      issuer,
      typ: 'at+jwt',
    });
    return { kid: protectedHeader.kid ?? '', payload };
  } catch (err) {
    throw new Error(`${what}: the access token does not verify with jose against ${jwksUrl}`, { cause: err });
  }
}
