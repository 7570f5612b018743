/**
 * Machine to machine: a service gets an access token for an API with the
 * client credentials grant and RFC 8707 `resource` (Auth0's `audience` works
 * too), then, if API_URL is set, calls the API with it.
 *
 *   TESSERA_ISSUER=http://localhost:8080/demo CLIENT_ID=… CLIENT_SECRET=… \
 *   API_IDENTIFIER=https://orders.example.com/api SCOPE=orders:read \
 *   node --import tsx examples/machine-to-machine/main.ts
 */
import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { discover } from '../shared/discover.ts';
import { env } from '../shared/env.ts';

const config = await discover(oidc.ClientSecretBasic(env('CLIENT_SECRET')));

const tokens = await oidc.clientCredentialsGrant(config, {
  resource: env('API_IDENTIFIER'),
  ...(process.env.SCOPE ? { scope: process.env.SCOPE } : {}),
});
const claims = decodeJwt(tokens.access_token);
const result: Record<string, unknown> = {
  access_token: tokens.access_token,
  token_type: tokens.token_type,
  expires_in: tokens.expires_in,
  scope: tokens.scope,
  aud: claims.aud,
};

if (process.env.API_URL) {
  const res = await fetch(process.env.API_URL, { headers: { authorization: `Bearer ${tokens.access_token}` } });
  result.api = { status: res.status, body: await res.json() };
}
console.log(JSON.stringify(result, null, 2));
