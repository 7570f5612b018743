import type { Client } from '@tessera/shared/clients/client';
import { bearerToken } from '@tessera/shared/http/api-token';
import type { OAuthErrorCode } from '@tessera/shared/http/error-codes';
import { HttpError } from '@tessera/shared/http/errors';
import { tenantSigningAlgorithms } from '@tessera/shared/jose/algorithms';
import { epochSeconds } from '@tessera/shared/time/clock';
import { subjectForClient } from '@tessera/shared/tokens/pairwise';
import { claimsForScope, selectClaims } from '../authz/claims-request.ts';
import { claimTargets } from '../authz/released-claims.ts';
import { jsonAnswer, textAnswer } from '../core/core-answer.ts';
import type { Endpoint } from '../core/endpoint.ts';
import { route } from '../core/route.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { DpopRefusal, dpopChallenge, resourceError } from '../dpop/dpop-errors.ts';
import { acceptProof, dpopHeader } from '../dpop/dpop-step.ts';
import { formParams } from '../oauth/oauth-error.ts';
import { type ActiveToken, inspectAccessToken } from '../oauth/token-inspection.ts';
import { sourceClaims } from '../plugins/claims-sources.ts';
import { JWE_ALGS, JWE_ENCS, jwtForClient } from '../tokens/client-jwt.ts';

interface UserinfoState {
  token?: string;
  /** The Authorization scheme it came with (a form body's token is a bearer token). */
  scheme?: 'Bearer' | 'DPoP';
  active?: ActiveToken;
  /** The client the token was issued to (gone: plain JSON with the token's own subject). */
  client?: Client | null;
  claims?: Record<string, unknown>;
}

/**
 * RFC 6750 §3: errors in the WWW-Authenticate challenge (and, for
 * readability, the body); under the scheme the token came with (RFC 9449 §7.1).
 */
const bearerError = (status: number, error: OAuthErrorCode, description: string, scheme?: 'Bearer' | 'DPoP') =>
  new HttpError(status, error, description, {
    headers: {
      'www-authenticate':
        scheme === 'DPoP'
          ? dpopChallenge(error, description)
          : `Bearer error="${error}", error_description="${description}"`,
    },
  });

/** The token of an `Authorization: DPoP <token>` header (RFC 9449 §7.1), or null. */
function dpopToken(header: string): string | null {
  const match = /^DPoP +([A-Za-z0-9\-._~+/]+=*) *$/i.exec(header);
  return match?.[1] ?? null;
}

/** The access token: header (Bearer or DPoP scheme) or form body (RFC 6750 §2.1, §2.2), never both. */
const bearerAccessToken = step<UserinfoState>('bearerAccessToken', (x) => {
  const { request } = x;
  const header = request.headers.authorization;
  const form =
    request.method === 'POST' &&
    (request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  const bodyToken = form ? formParams(request.body).access_token : undefined;
  if (header && bodyToken) throw new HttpError(400, 'invalid_request', 'The access token is sent more than one way');
  const dpop = header ? dpopToken(header) : null;
  const token = dpop ?? (header ? bearerToken(header) : bodyToken);
  if (!token)
    throw new HttpError(401, 'invalid_token', 'A bearer access token is required', {
      headers: { 'www-authenticate': 'Bearer' },
    });
  x.state.token = token;
  x.state.scheme = dpop ? 'DPoP' : 'Bearer';
});

/**
 * RFC 9449 §7: a DPoP-bound token only under the DPoP scheme, with a fresh
 * proof of its key whose `ath` hashes it (dpop/dpop-step.ts `acceptProof`:
 * nonce and replay too). Refusals are 401s with the DPoP challenge. A
 * bearer request sends no proof, and costs nothing here.
 */
const checkDpopBinding = (deps: DataPlaneDeps): Step<UserinfoState> =>
  step<UserinfoState>('checkDpopBinding', (x) => {
    const { scheme, active, token } = x.state;
    const jkt = active!.cnf?.jkt;
    if (scheme === 'Bearer') {
      if (jkt !== undefined)
        throw resourceError(
          'invalid_token',
          'The access token is DPoP-bound: send it with the DPoP scheme and a proof',
        );
      return undefined;
    }
    return (async () => {
      try {
        const proof = dpopHeader(x.request);
        if (proof === undefined) throw new DpopRefusal('invalid_dpop_proof', 'The DPoP scheme needs a DPoP proof');
        const verified = await acceptProof(x, deps, proof, token);
        if (jkt !== undefined && verified.jkt !== jkt)
          throw new DpopRefusal('invalid_dpop_proof', 'The DPoP proof is not made with the key the token is bound to');
        return undefined;
      } catch (err) {
        throw err instanceof DpopRefusal ? resourceError(err.error, err.message) : err;
      }
    })();
  });

/** Active for this tenant and issuer (tokens of another tenant or issuer alias are invalid here), with the openid scope. */
const checkAccessToken = (deps: DataPlaneDeps): Step<UserinfoState> =>
  step<UserinfoState>('checkAccessToken', async (x) => {
    const active = await inspectAccessToken(x.request.tenant, x.request.issuer, x.state.token!, deps);
    const { scheme } = x.state;
    if (!active) throw bearerError(401, 'invalid_token', 'The access token is invalid, expired or revoked', scheme);
    if (!active.scp.includes('openid'))
      throw bearerError(403, 'insufficient_scope', 'The access token lacks the openid scope', scheme);
    x.state.active = active;
  });

/**
 * The consented claims of the token's subject from the tenant's claims
 * source (plugins/claims-sources.ts; the user directory by default) — by the token's consented claims, or, for
 * tokens without any, by its scope — plus preset claims, honouring
 * `claims_locales`; `sub` as in the client's ID tokens (pairwise for
 * pairwise clients).
 */
const releaseClaims = (deps: DataPlaneDeps): Step<UserinfoState> =>
  step<UserinfoState>('releaseClaims', async (x) => {
    const context = x.request.tenant;
    const active = x.state.active!;
    const tid = context.tenant.tid;
    const clm = Array.isArray(active.extra.clm) ? (active.extra.clm as string[]) : undefined;
    const names = clm ? claimTargets(clm, false).userinfo : claimsForScope(active.scp);
    const locales = Array.isArray(active.extra.cll) ? (active.extra.cll as string[]) : [];
    const source = names.length
      ? await sourceClaims(deps, context, { sub: active.sub, names, clientId: active.cid, scope: active.scp, locales })
      : null;
    const preset = (active.extra.uip ?? {}) as Record<string, unknown>;
    const client = await deps.clients.get(tid, active.cid);
    const sub = client ? subjectForClient(context.secrets['subject-enc'], client.metadata, active.sub) : active.sub;
    x.state.client = client;
    x.state.claims = { ...(source ? selectClaims(source, names, locales) : {}), ...preset, sub };
  });

/** Plain JSON, or a JWT signed and / or encrypted as the client registered. */
const userinfoResponse = (deps: DataPlaneDeps): Step<UserinfoState> =>
  step<UserinfoState>('userinfoResponse', async (x) => {
    const { client, claims } = x.state;
    const alg = client?.metadata.userinfo_signed_response_alg as string | undefined;
    const encAlg = client?.metadata.userinfo_encrypted_response_alg as string | undefined;
    if (!client || (!alg && !encAlg)) return jsonAnswer(claims);
    const context = x.request.tenant;
    const payload = { ...claims, iss: x.request.issuer, aud: client.clientId, iat: epochSeconds(deps.oauth.clock) };
    const enc = client.metadata.userinfo_encrypted_response_enc as string | undefined;
    const jwt = await jwtForClient(
      context,
      deps,
      client,
      { alg: alg ?? context.tenant.config.keys.idTokenSigningAlgorithm, encAlg, enc, typ: 'JWT' },
      payload,
    );
    return textAnswer('application/jwt', jwt);
  });

/**
 * OpenID Connect UserInfo (Core §5.3), GET or POST. Steps:
 * bearerAccessToken → checkAccessToken → checkDpopBinding → releaseClaims →
 * userinfoResponse.
 */
export const userinfoEndpoint: Endpoint = {
  name: 'userinfo',
  area: 'front-channel',
  routes: (deps) => [
    route<UserinfoState>({
      name: 'userinfo',
      method: ['GET', 'POST'],
      path: '/userinfo',
      bodyLimit: 50_000,
      cors: 'clients',
      steps: [
        bearerAccessToken,
        checkAccessToken(deps),
        checkDpopBinding(deps),
        releaseClaims(deps),
        userinfoResponse(deps),
      ],
    }),
  ],
  metadata: (context, issuer) => ({
    userinfo_endpoint: `${issuer}/userinfo`,
    userinfo_signing_alg_values_supported: tenantSigningAlgorithms(
      context.tenant.config.keys.signingAlgorithms,
      'userinfo',
    ),
    userinfo_encryption_alg_values_supported: [...JWE_ALGS],
    userinfo_encryption_enc_values_supported: [...JWE_ENCS],
  }),
};
