import type { FastifyReply, FastifyRequest } from 'fastify';
import { bearerToken } from '@tessera/shared/http/api-token';
import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import { HttpError } from '@tessera/shared/http/errors';
import { claimsForScope, selectClaims } from '../authz/claims-request.ts';
import { claimTargets } from '../authz/released-claims.ts';
import { subjectForClient } from '@tessera/shared/tokens/pairwise';
import { formParams } from '../oauth/oauth-error.ts';
import { inspectAccessToken } from '../oauth/token-inspection.ts';
import { tenantSigningAlgorithms } from '@tessera/shared/jose/algorithms';
import { jwtForClient, JWE_ALGS, JWE_ENCS } from '../tokens/client-jwt.ts';
import type { DataPlaneDeps, Endpoint } from './endpoint.ts';

/** RFC 6750 §3: errors in the WWW-Authenticate challenge (and, for readability, the body). */
const bearerError = (status: number, error: OAuthErrorCode, description: string) =>
  new HttpError(status, error, description, { headers: { 'www-authenticate': `Bearer error="${error}", error_description="${description}"` } });

/** The access token: header or form body (RFC 6750 §2.1, §2.2), never both. */
function accessTokenOf(request: FastifyRequest): string {
  const header = request.headers.authorization;
  const bodyToken = request.method === 'POST' && (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded') ? formParams(request.body).access_token : undefined;
  if (header && bodyToken) throw new HttpError(400, 'invalid_request', 'The access token is sent more than one way');
  const token = header ? bearerToken(header) : bodyToken;
  if (!token) throw new HttpError(401, 'invalid_token', 'A bearer access token is required', { headers: { 'www-authenticate': 'Bearer' } });
  return token;
}

/**
 * OpenID Connect UserInfo (Core §5.3): the consented claims of the token's
 * subject from the claims source (the tenant's user directory), by the
 * token's consented claims — or, for tokens without any, by its scope —
 * plus preset claims, honouring `claims_locales`. Plain JSON, or a JWT
 * signed / encrypted as the client registered. Tokens of another tenant or
 * issuer alias are invalid here.
 */
async function serve(request: FastifyRequest, reply: FastifyReply, deps: DataPlaneDeps) {
  const context = request.tenant!;
  const issuer = request.issuer!;
  const token = accessTokenOf(request);
  const active = await inspectAccessToken(context, issuer, token, deps);
  if (!active) throw bearerError(401, 'invalid_token', 'The access token is invalid, expired or revoked');
  if (!active.scp.includes('openid')) throw bearerError(403, 'insufficient_scope', 'The access token lacks the openid scope');
  const tid = context.tenant.tid;
  const clm = Array.isArray(active.extra.clm) ? (active.extra.clm as string[]) : undefined;
  const names = clm ? claimTargets(clm, false).userinfo : claimsForScope(active.scp);
  const locales = Array.isArray(active.extra.cll) ? (active.extra.cll as string[]) : [];
  const source = names.length ? await deps.directory.claims(tid, active.sub) : null;
  const preset = (active.extra.uip ?? {}) as Record<string, unknown>;
  const client = await deps.clients.get(tid, active.cid);
  // The same subject as in the client's ID tokens: pairwise for pairwise clients.
  const sub = client ? subjectForClient(context.secrets['subject-enc'], client.metadata, active.sub) : active.sub;
  const claims: Record<string, unknown> = { ...(source ? selectClaims(source, names, locales) : {}), ...preset, sub };

  const alg = client?.metadata.userinfo_signed_response_alg as string | undefined;
  const encAlg = client?.metadata.userinfo_encrypted_response_alg as string | undefined;
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  if (!client || (!alg && !encAlg)) return reply.send(claims);
  const now = Math.floor(Date.now() / 1000);
  const payload = { ...claims, iss: issuer, aud: client.clientId, iat: now };
  const jwt = await jwtForClient(
    context,
    deps,
    client,
    { alg: alg ?? context.tenant.config.keys.idTokenSigningAlgorithm, encAlg, enc: client.metadata.userinfo_encrypted_response_enc as string | undefined, typ: 'JWT' },
    payload,
  );
  return reply.type('application/jwt').send(jwt);
}

export const userinfoEndpoint: Endpoint = {
  name: 'userinfo',
  register(app, deps) {
    app.get('/userinfo', (request, reply) => serve(request, reply, deps));
    app.post('/userinfo', { bodyLimit: 50_000 }, (request, reply) => serve(request, reply, deps));
  },
  metadata: (context, issuer) => ({
    userinfo_endpoint: `${issuer}/userinfo`,
    userinfo_signing_alg_values_supported: tenantSigningAlgorithms(context.tenant.config.keys.signingAlgorithms, 'userinfo'),
    userinfo_encryption_alg_values_supported: [...JWE_ALGS],
    userinfo_encryption_enc_values_supported: [...JWE_ENCS],
  }),
};
