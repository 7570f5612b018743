import { localSubjectOf, sectorIdentifierOf } from '@tessera/shared/tokens/pairwise';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { TenantContext } from '../../tenancy/tenant-context.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';

/** Verify an `id_token_hint` was signed by this tenant for this issuer (expiry does not matter for a hint). */
async function hintSubject(context: TenantContext, issuer: string, hint: string): Promise<string | undefined> {
  try {
    const jwks = createLocalJWKSet({
      keys: context.keys.filter((k) => k.use === 'sig').map((k) => k.jwk),
    } as JSONWebKeySet);
    const { payload } = await compactVerify(hint, jwks);
    const claims = JSON.parse(Buffer.from(payload).toString('utf8')) as { iss?: unknown; sub?: unknown };
    return claims.iss === issuer && typeof claims.sub === 'string' ? claims.sub : undefined;
  } catch {
    return undefined;
  }
}

/** An ID token this tenant issued under this issuer; its subject (the local one for a pairwise client) is kept. */
export const checkIdTokenHint: Check<TrustedRequest> = async (s) => {
  const hint = s.params.id_token_hint;
  if (hint === undefined) return undefined;
  let sub = await hintSubject(s.context, s.issuer, hint);
  if (sub === undefined) return refuse('invalid_request', 'Invalid id_token_hint');
  // A pairwise client's ID tokens name the sector's subject: back to the local one.
  if (s.client.metadata.subject_type === 'pairwise')
    sub = localSubjectOf(s.context.secrets['subject-enc'], sectorIdentifierOf(s.client.metadata), sub) ?? sub;
  s.established.hintSub = sub;
  return undefined;
};
