/**
 * Protecting an API: a tiny node:http API that accepts only access tokens
 * the tenant issued for it. Each `Authorization: Bearer` JWT is verified
 * with jose against the tenant's JWKS (found through discovery): signature,
 * `typ` at+jwt (RFC 9068; an ID token is not an access token), `iss` = the
 * issuer, `aud` = this API's identifier, and the scope REQUIRED_SCOPE. Register the API as a resource server with
 * that identifier so tokens are issued for it.
 *
 *   TESSERA_ISSUER=http://localhost:8080/demo API_IDENTIFIER=https://orders.example.com/api \
 *   REQUIRED_SCOPE=orders:read PORT=4000 node --import tsx examples/protect-an-api/main.ts
 */
import { createServer, type ServerResponse } from 'node:http';
import { createRemoteJWKSet, errors, jwtVerify } from 'jose';
import { env } from '../shared/env.ts';

const issuer = env('TESSERA_ISSUER');
const audience = env('API_IDENTIFIER');
const requiredScope = process.env.REQUIRED_SCOPE;

const discovery = await fetch(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
if (!discovery.ok) throw new Error(`discovery answered ${discovery.status}`);
const metadata = (await discovery.json()) as { issuer: string; jwks_uri: string };
// Fetched once, cached, and fetched again when a token names a key id it does not know (key rotation).
const jwks = createRemoteJWKSet(new URL(metadata.jwks_uri));

/** RFC 6750 §3: the challenge says what was wrong. */
function refuse(res: ServerResponse, status: 401 | 403, error: string, description: string): void {
  res
    .writeHead(status, {
      'content-type': 'application/json',
      'www-authenticate': `Bearer error="${error}", error_description="${description}"`,
    })
    .end(JSON.stringify({ error, error_description: description }));
}

const server = createServer(async (req, res) => {
  const match = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/.exec(req.headers.authorization ?? '');
  if (!match) return refuse(res, 401, 'invalid_request', 'a Bearer access token is required');
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(match[1]!, jwks, { issuer: metadata.issuer, audience, typ: 'at+jwt' }));
  } catch (e) {
    const why = e instanceof errors.JOSEError ? e.message : 'the token could not be verified';
    console.log(`refused: ${why}`);
    return refuse(res, 401, 'invalid_token', why.replaceAll('"', "'"));
  }
  // RFC 9068 (profile oauth-1.0) has a `scope` string; Tessera's c2id-1.x profiles a `scp` array.
  const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : ((payload.scp as string[]) ?? []);
  const clientId = payload.client_id ?? payload.cid;
  if (requiredScope && !scopes.includes(requiredScope)) {
    console.log(`refused: no ${requiredScope} scope`);
    return refuse(res, 403, 'insufficient_scope', `the token lacks the ${requiredScope} scope`);
  }
  console.log(`accepted: ${req.method} ${req.url} for ${payload.sub} (client ${clientId})`);
  res
    .writeHead(200, { 'content-type': 'application/json' })
    .end(JSON.stringify({ message: 'hello from the API', sub: payload.sub, client_id: clientId, scopes }));
});

server.listen(Number(process.env.PORT ?? 4000), '127.0.0.1', () => {
  const { port } = server.address() as { port: number };
  console.log(`API listening on http://127.0.0.1:${port}/`);
});
