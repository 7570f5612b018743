import type { Client } from '@tessera/shared/clients/client';
import type { TenantRequest } from '../core/core-request.ts';
import type { Exchange } from '../core/exchange.ts';
import { type Step, step } from '../core/step.ts';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { oauthError } from '../oauth/oauth-error.ts';
import { epochSeconds } from '../ports/clock.ts';
import { DpopRefusal, tokenEndpointError } from './dpop-errors.ts';
import { dpopNonces, type NonceScope } from './dpop-nonce.ts';
import { DpopProofError, normalisedUrl, type VerifiedProof, verifyDpopProof } from './dpop-proof.ts';

/** What the DPoP step leaves for the later steps of a route. */
export interface DpopState {
  /** The proof of the request, when it sent one. */
  dpop?: VerifiedProof;
}

/** What the step reads of client authentication's result (endpoints/steps/authenticate-client.ts). */
interface AuthenticatedClient {
  client?: Client;
}

/** The request's `DPoP` header, or undefined when it sent none. */
export const dpopHeader = (request: TenantRequest<unknown, unknown, unknown>): string | undefined => {
  const header = request.headers.dpop;
  if (header === undefined) return undefined;
  // Node joins a repeated header with ", " (or lists it): one proof only (RFC 9449 §4.3 check 1).
  if (typeof header !== 'string') throw new DpopRefusal('invalid_dpop_proof', 'More than one DPoP header');
  return header;
};

const nonceScope = (request: TenantRequest<unknown, unknown, unknown>): NonceScope => ({
  tid: request.tenant.tenant.tid,
  secret: request.tenant.secrets['identifier-hmac'],
  lifetime: request.tenant.tenant.config.dpop.nonceLifetime,
});

/**
 * Accept the request's proof (RFC 9449 §4.3): the checks of the proof itself
 * (dpop-proof.ts) against the URL the request was served under (its issuer,
 * primary or alias, and path), then the tenant's nonce, when it requires
 * one (a fresh nonce goes out in `DPoP-Nonce` with a refusal and whenever
 * the proof's was not the current one), then `jti` once per tenant and key
 * in the replay cache all nodes share. Throws a DpopRefusal.
 */
export async function acceptProof(
  x: Exchange<object, TenantRequest<unknown, unknown, unknown>>,
  deps: DataPlaneDeps,
  proof: string,
  accessToken?: string,
): Promise<VerifiedProof> {
  const { request } = x;
  const { dpop } = request.tenant.tenant.config;
  const now = epochSeconds(deps.oauth.clock);
  let verified: VerifiedProof;
  try {
    verified = verifyDpopProof(proof, {
      method: request.method,
      url: normalisedUrl(`${request.issuer}${request.path}`),
      now,
      maxAge: dpop.proofMaxAge,
      accessToken,
    });
  } catch (err) {
    if (err instanceof DpopProofError) throw new DpopRefusal('invalid_dpop_proof', err.message);
    throw err;
  }
  if (dpop.requireNonce) {
    const scope = nonceScope(request);
    const standing = verified.nonce === undefined ? 'invalid' : dpopNonces.check(scope, verified.nonce, now);
    if (standing !== 'current') x.header('dpop-nonce', dpopNonces.issue(scope, now));
    if (standing === 'invalid')
      throw new DpopRefusal(
        'use_dpop_nonce',
        verified.nonce === undefined ? 'A DPoP nonce is required' : 'The DPoP nonce is invalid or expired',
      );
  }
  const tid = request.tenant.tenant.tid;
  const use = await deps.oauth.replay.use(
    tid,
    'dpop-proof',
    `${verified.jkt}.${verified.jti}`,
    verified.iat + dpop.proofMaxAge + 1,
  );
  if (!use.first) throw new DpopRefusal('invalid_dpop_proof', 'The DPoP proof was used before (its jti)');
  return verified;
}

/**
 * The DPoP step of the token and PAR endpoints, after client
 * authentication: without a `DPoP` header it costs one property read (and,
 * at the token endpoint, refuses a client registered with
 * `dpop_bound_access_tokens`: RFC 9449 §5.2 names token requests); with one,
 * the proof is accepted (acceptProof) and left in `x.state.dpop`, or the
 * request refused with a 400 `invalid_dpop_proof` / `use_dpop_nonce`.
 */
export function dpopProof<S extends DpopState & AuthenticatedClient>(
  deps: DataPlaneDeps,
  at: 'token' | 'par' = 'token',
): Step<S> {
  return step<S>('dpopProof', (x) => {
    let proof: string | undefined;
    try {
      proof = dpopHeader(x.request);
    } catch (err) {
      throw err instanceof DpopRefusal ? tokenEndpointError(err) : err;
    }
    if (proof === undefined) {
      if (at === 'token' && x.state.client?.metadata.dpop_bound_access_tokens === true)
        throw oauthError('invalid_request', 'The client is registered for DPoP-bound access tokens: send a DPoP proof');
      return undefined;
    }
    return acceptProof(x, deps, proof).then(
      (verified) => {
        x.state.dpop = verified;
        return undefined;
      },
      (err) => {
        throw err instanceof DpopRefusal ? tokenEndpointError(err) : err;
      },
    );
  });
}
