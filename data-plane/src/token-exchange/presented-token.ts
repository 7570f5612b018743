import type { Actor } from '@tessera/shared/authz/authorization';
import { localSubjectOf, sectorIdentifierOf } from '@tessera/shared/tokens/pairwise';
import { compactVerify, createLocalJWKSet, type JSONWebKeySet } from 'jose';
import type { GrantRequest } from '../grants/grant.ts';
import { usableRefreshToken } from '../oauth/refresh-token-inspection.ts';
import { inspectAccessToken } from '../oauth/token-inspection.ts';
import { epochSeconds } from '../ports/clock.ts';
import { sharesGrants } from '../tenancy/alias-mode.ts';
import { localSubject, unverifiedIssuer, verifyTrustedJwt } from '../trust/trusted-jwt.ts';
import { TOKEN_TYPES, type TokenType } from './token-types.ts';

/** RFC 8693 §4.4 `may_act`: who may act for the subject. */
export interface MayAct {
  sub?: string;
  iss?: string;
}

/** A subject or actor token, verified: whose it is, who issued it, what it allows. */
export interface PresentedToken {
  sub: string;
  /** This tenant's issuer, or the trusted issuer that signed it. */
  iss: string;
  /** Its scope; undefined when the token carries none (ID tokens, JWTs without scope). */
  scp?: string[] | undefined;
  /** The actor chain it already carries. */
  act?: Actor | undefined;
  mayAct?: MayAct | undefined;
  /** Its audiences, when it names any. */
  aud?: string[] | undefined;
  /** The client it was issued to, for this tenant's access and refresh tokens. */
  clientId?: string | undefined;
  /** A JWT's verified claims (a trusted issuer's JWT, an own ID token), for the tenant's handler. */
  claims?: Record<string, unknown> | undefined;
}

/** Why a token is refused (the `invalid_grant` description), or the verified token. */
export type Presented = { ok: true; token: PresentedToken } | { ok: false; reason: string };

const refused = (reason: string): Presented => ({ ok: false, reason });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A well-formed `act` (RFC 8693 §4.1): an object with a string sub, optional string iss, nested likewise. */
export function actorOf(value: unknown, depth = 0): Actor | undefined {
  if (!isObject(value) || typeof value.sub !== 'string' || depth > 10) return undefined;
  const inner = value.act === undefined ? undefined : actorOf(value.act, depth + 1);
  return {
    sub: value.sub,
    ...(typeof value.iss === 'string' ? { iss: value.iss } : {}),
    ...(inner ? { act: inner } : {}),
  };
}

function mayActOf(value: unknown): MayAct | undefined {
  if (!isObject(value)) return undefined;
  return {
    ...(typeof value.sub === 'string' ? { sub: value.sub } : {}),
    ...(typeof value.iss === 'string' ? { iss: value.iss } : {}),
  };
}

const audOf = (claims: Record<string, unknown>): string[] | undefined =>
  typeof claims.aud === 'string'
    ? [claims.aud]
    : Array.isArray(claims.aud)
      ? claims.aud.filter((v): v is string => typeof v === 'string')
      : undefined;

const scopeOf = (claims: Record<string, unknown>): string[] | undefined =>
  typeof claims.scope === 'string'
    ? claims.scope.split(' ').filter(Boolean)
    : Array.isArray(claims.scp)
      ? claims.scp.filter((v): v is string => typeof v === 'string')
      : undefined;

/** An access token of this tenant under this issuer, by the code introspection uses (oauth/token-inspection.ts). */
async function ownAccessToken(req: GrantRequest, token: string): Promise<Presented> {
  const active = await inspectAccessToken(req.tenant, req.issuer, token, req.deps);
  if (!active) return refused('not an active access token of this issuer');
  return {
    ok: true,
    token: {
      sub: active.sub,
      iss: active.iss,
      scp: active.scp,
      act: actorOf(active.act),
      mayAct: mayActOf(active.extra.may_act),
      aud: active.aud,
      clientId: active.cid,
    },
  };
}

/** A usable refresh token of this tenant, issued to the client presenting it (RFC 6749 §6: refresh tokens are bound to their client). */
async function ownRefreshToken(req: GrantRequest, token: string): Promise<Presented> {
  const usable = await usableRefreshToken(req.tenant, req.deps, token);
  if (!usable) return refused('not a usable refresh token of this issuer');
  const { authz } = usable;
  if (authz.cid !== req.client.clientId) return refused('the refresh token was issued to another client');
  if (!sharesGrants(req.tenant.tenant, authz.iss, req.issuer))
    return refused('the refresh token was issued under another issuer');
  return {
    ok: true,
    token: { sub: authz.sub, iss: req.issuer, scp: authz.scp, act: authz.act, aud: authz.aud, clientId: authz.cid },
  };
}

/**
 * An unexpired ID token this tenant signed under this issuer for the client
 * presenting it (so a pairwise subject maps back to the local one, as for
 * id_token_hint). Access and logout tokens (typ at+jwt, logout+jwt, a client
 * id claim) are not ID tokens; encrypted ID tokens are not accepted.
 */
async function ownIdToken(req: GrantRequest, token: string): Promise<Presented> {
  const { tenant, client } = req;
  let claims: Record<string, unknown>;
  try {
    const jwks = createLocalJWKSet({
      keys: tenant.keys.filter((k) => k.use === 'sig').map((k) => k.jwk),
    } as JSONWebKeySet);
    const { payload, protectedHeader } = await compactVerify(token, jwks);
    if (protectedHeader.typ !== undefined && protectedHeader.typ.toUpperCase() !== 'JWT')
      return refused('not an ID token');
    claims = JSON.parse(Buffer.from(payload).toString('utf8')) as Record<string, unknown>;
  } catch {
    return refused('not an ID token of this issuer');
  }
  if (!isObject(claims) || claims.iss !== req.issuer || typeof claims.sub !== 'string')
    return refused('not an ID token of this issuer');
  if ('cid' in claims || 'client_id' in claims || 'events' in claims) return refused('not an ID token');
  if (typeof claims.exp !== 'number' || claims.exp <= epochSeconds(req.deps.oauth.clock))
    return refused('the ID token expired');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(client.clientId)) return refused('the ID token was issued to another client');
  let sub = claims.sub;
  if (client.metadata.subject_type === 'pairwise')
    sub = localSubjectOf(tenant.secrets['subject-enc'], sectorIdentifierOf(client.metadata), sub) ?? sub;
  return { ok: true, token: { sub, iss: req.issuer, act: actorOf(claims.act), aud: audOf(claims), claims } };
}

/** A JWT of an issuer the tenant trusts for token exchange (trust/trusted-jwt.ts), its subject mapped as configured. */
async function trustedJwt(req: GrantRequest, token: string): Promise<Presented> {
  const verified = await verifyTrustedJwt(req.tenant, req.deps, token, 'token-exchange');
  if (!verified.ok) return refused(verified.reason);
  const { trusted, claims } = verified;
  const sub = await localSubject(req.tenant, req.deps, trusted, claims.sub);
  if (sub === undefined) return refused("the token's subject is not a user of this tenant");
  return {
    ok: true,
    token: {
      sub,
      iss: trusted.issuer,
      scp: scopeOf(claims),
      act: actorOf(claims.act),
      mayAct: mayActOf(claims.may_act),
      aud: audOf(claims),
      claims,
    },
  };
}

/**
 * Verify a subject or actor token of the given type: this tenant's own
 * tokens (access, refresh, ID token; a `jwt` of ours is a JWT access token),
 * or a JWT signed by an issuer the tenant trusts for token exchange (any
 * type but refresh_token). A token of another tenant is neither: its
 * signature, issuer and stores are not this tenant's.
 */
export async function presentedToken(req: GrantRequest, token: string, type: TokenType): Promise<Presented> {
  if (type === TOKEN_TYPES.refreshToken) return ownRefreshToken(req, token);
  const iss = unverifiedIssuer(token);
  if (iss !== undefined && iss !== req.issuer) return trustedJwt(req, token);
  return type === TOKEN_TYPES.idToken ? ownIdToken(req, token) : ownAccessToken(req, token);
}
