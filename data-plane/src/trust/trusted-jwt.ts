import type { TenantConfig, TrustedIssuerUse } from '@tessera/shared/config/tenant-config';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** Seconds of clock difference allowed when judging exp, nbf and iat of another issuer's JWT. */
export const CLOCK_SKEW = 30;

export type TrustedIssuer = TenantConfig['trustedIssuers'][number];

export type TrustedJwt =
  | { ok: true; trusted: TrustedIssuer; claims: JWTPayload & { sub: string; exp: number } }
  | { ok: false; reason: string };

/** The unverified `iss` of a compact JWS, or undefined when it is not one. */
export function unverifiedIssuer(token: string): string | undefined {
  if (token.split('.').length !== 3) return undefined;
  try {
    const { iss } = decodeJwt(token);
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

/** The tenant's trusted issuer named `iss` for `use`, if any. */
export const trustedIssuerFor = (config: TenantConfig, iss: string | undefined, use: TrustedIssuerUse) =>
  iss === undefined ? undefined : config.trustedIssuers.find((t) => t.issuer === iss && t.uses.includes(use));

/**
 * A JWT signed by an issuer the tenant trusts for `use`: its `iss` listed,
 * the signature by one of its keys with one of its algorithms, `sub` and
 * `exp` present, not expired, not before its `nbf` (with CLOCK_SKEW). The
 * audience and anything stricter are the caller's.
 */
export async function verifyTrustedJwt(
  context: TenantContext,
  deps: DataPlaneDeps,
  token: string,
  use: TrustedIssuerUse,
): Promise<TrustedJwt> {
  const iss = unverifiedIssuer(token);
  if (iss === undefined) return { ok: false, reason: 'not a signed JWT with an issuer' };
  const trusted = trustedIssuerFor(context.tenant.config, iss, use);
  if (!trusted) return { ok: false, reason: 'the issuer is not trusted' };
  let kid: string | undefined;
  try {
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return { ok: false, reason: 'malformed JWT' };
  }
  let jwks: Awaited<ReturnType<DataPlaneDeps['trustedIssuerKeys']['get']>>;
  try {
    jwks = await deps.trustedIssuerKeys.get(context.tenant.tid, trusted, kid);
  } catch {
    return { ok: false, reason: "the issuer's keys could not be retrieved" };
  }
  try {
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: trusted.issuer,
      algorithms: [...trusted.algorithms],
      currentDate: new Date(deps.oauth.clock.now()),
      clockTolerance: CLOCK_SKEW,
      requiredClaims: ['sub', 'exp'],
    });
    if (typeof payload.sub !== 'string' || payload.sub === '') return { ok: false, reason: 'no subject' };
    return { ok: true, trusted, claims: payload as JWTPayload & { sub: string; exp: number } };
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, reason: code === 'ERR_JWT_EXPIRED' ? 'the JWT expired' : 'the JWT is not valid' };
  }
}

/**
 * The local subject for a trusted issuer's `sub` (its `subjects` setting):
 * as it is, or only when the tenant's user directory has that subject.
 */
export async function localSubject(
  context: TenantContext,
  deps: DataPlaneDeps,
  trusted: TrustedIssuer,
  sub: string,
): Promise<string | undefined> {
  if (trusted.subjects === 'as-is') return sub;
  const user = await deps.directory.get(context.tenant.tid, sub);
  return user?.sub;
}
