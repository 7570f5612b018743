import type { Client } from '@tessera/shared/clients/client';
import { algorithmsFor } from '@tessera/shared/jose/algorithms';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { JWE_ALGS, JWE_ENCS, jwtForClient } from '../tokens/client-jwt.ts';

/** JARM §2.1: the response JWT is short-lived; ten minutes is the recommended maximum, one is plenty for a redirect. */
const LIFETIME_SECONDS = 60;

export const JARM_SIGNING_ALGS = algorithmsFor('jarm');
export const JARM_ENCRYPTION_ALGS = JWE_ALGS;
export const JARM_ENCRYPTION_ENCS = JWE_ENCS;

/**
 * A JARM response (JWT Secured Authorization Response Mode, §2): the
 * authorisation response parameters (or error) in a JWT with `iss`, `aud`
 * = client_id and a short `exp`, signed with the tenant's key for the
 * client's `authorization_signed_response_alg` (RS256 by default; HS* with
 * its secret) and, where it registered `authorization_encrypted_response_alg`,
 * encrypted to it (nested JWT; `enc` defaults to A128CBC-HS256). Signing and
 * encryption are those of every JWT made for one client (tokens/client-jwt.ts).
 */
export async function encodeJarmResponse(args: {
  tenant: TenantContext;
  issuer: string;
  client: Client;
  params: Record<string, string>;
  deps: DataPlaneDeps;
}): Promise<string> {
  const { tenant, issuer, client, params, deps } = args;
  const now = epochSeconds(deps.oauth.clock);
  const payload: Record<string, unknown> = {
    ...params,
    iss: issuer,
    aud: client.clientId,
    exp: now + LIFETIME_SECONDS,
    iat: now,
  };
  const m = client.metadata;
  return jwtForClient(
    tenant,
    deps,
    client,
    {
      alg: (m.authorization_signed_response_alg as string | undefined) ?? 'RS256',
      encAlg: m.authorization_encrypted_response_alg as string | undefined,
      enc: m.authorization_encrypted_response_enc as string | undefined,
      typ: 'JWT',
    },
    payload,
  );
}
