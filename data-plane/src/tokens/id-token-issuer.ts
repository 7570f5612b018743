import type { Client } from '@tessera/shared/clients/client';
import { idTokenClaims } from '@tessera/shared/tokens/id-token';
import { subjectForClient } from '@tessera/shared/tokens/pairwise';
import { halfHash } from '@tessera/shared/tokens/token-hash';
import type { DataPlaneDeps } from '../endpoints/endpoint.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { jwtForClient } from './client-jwt.ts';

export interface IdTokenRequest {
  issuer: string;
  client: Client;
  /** The local subject (translated here for pairwise clients). */
  sub: string;
  lifetime: number;
  sid?: string | undefined;
  nonce?: string | undefined;
  authTime?: number | undefined;
  acr?: string | undefined;
  amr?: string[] | undefined;
  /** Issued alongside: hashed into at_hash, c_hash, s_hash. */
  accessToken?: string | undefined;
  code?: string | undefined;
  state?: string | undefined;
  /** Released user claims, session and preset claims. */
  claims?: Record<string, unknown> | undefined;
}

/** The JWS algorithm of a client's ID tokens: what it registered, else the tenant's. */
export const idTokenAlg = (context: TenantContext, client: Client): string =>
  (client.metadata.id_token_signed_response_alg as string | undefined) ?? context.tenant.config.keys.idTokenSigningAlgorithm;

/**
 * An ID token for `client` (OpenID Connect Core §2, §3.1.3.6, §3.3.2.11):
 * signed with the algorithm the client registered (the tenant's key, or
 * the client secret for HS*), encrypted where it registered
 * `id_token_encrypted_response_alg`/`enc`; `typ` is `JWT`, or
 * `id_token+jwt` for clients that registered `id_token_explicit_typ: true`.
 */
export async function issueIdToken(context: TenantContext, deps: Pick<DataPlaneDeps, 'keyStores'>, req: IdTokenRequest): Promise<string> {
  const { client } = req;
  const alg = idTokenAlg(context, client);
  const payload = idTokenClaims({
    iss: req.issuer,
    // Pairwise clients see the subject of their sector (Core §8.1).
    sub: subjectForClient(context.secrets['subject-enc'], client.metadata, req.sub),
    aud: client.clientId,
    lifetime: req.lifetime,
    ...(req.authTime !== undefined ? { authTime: req.authTime } : {}),
    ...(req.sid ? { sid: req.sid } : {}),
    ...(req.nonce !== undefined ? { nonce: req.nonce } : {}),
    ...(req.acr ? { acr: req.acr } : {}),
    ...(req.amr ? { amr: req.amr } : {}),
    ...(req.accessToken ? { atHash: halfHash(alg, req.accessToken) } : {}),
    ...(req.code ? { cHash: halfHash(alg, req.code) } : {}),
    ...(req.state !== undefined ? { sHash: halfHash(alg, req.state) } : {}),
    ...(req.claims ? { claims: req.claims } : {}),
  });
  return jwtForClient(
    context,
    deps,
    client,
    {
      alg,
      encAlg: client.metadata.id_token_encrypted_response_alg as string | undefined,
      enc: client.metadata.id_token_encrypted_response_enc as string | undefined,
      typ: client.metadata.id_token_explicit_typ === true ? 'id_token+jwt' : 'JWT',
    },
    payload,
  );
}
