import type { Authorization } from '@tessera/shared/authz/authorization';
import { decodeJwtAccessToken } from '@tessera/shared/tokens/access-token-jwt';
import { checkIdentifier } from '@tessera/shared/tokens/identifiers';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { identifierOf } from '../plugins/identifier-token-codec.ts';
import { decodeAccessTokenClaims } from '../plugins/jwt-claims-codec.ts';
import { epochSeconds } from '../ports/clock.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';

/** An active access token, in the terms of RFC 7662 (plus Connect2id's extra members). */
export interface ActiveToken {
  sub: string;
  cid: string;
  scp: string[];
  aud?: string[];
  iss: string;
  iat: number;
  exp: number;
  jti?: string;
  act?: unknown;
  /** RFC 9449 §6: the DPoP key the token is bound to. */
  cnf?: { jkt: string };
  extra: Record<string, unknown>;
  kind: 'jwt' | 'identifier';
  /** For identifier tokens: the bare identifier (any prefix stripped), as the store keys it, so a revocation can delete it. */
  identifier?: string;
}

const asStrings = (v: unknown): string[] | undefined =>
  Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : typeof v === 'string' ? [v] : undefined;

const scopeValues = (v: unknown): string[] =>
  typeof v === 'string' ? v.split(' ').filter(Boolean) : Array.isArray(v) ? asStrings(v)! : [];

/** A `cnf` claim with a DPoP thumbprint, as the token issuer writes it. */
const dpopConfirmation = (cnf: unknown): { jkt: string } | undefined =>
  typeof cnf === 'object' && cnf !== null && typeof (cnf as { jkt?: unknown }).jkt === 'string'
    ? { jkt: (cnf as { jkt: string }).jkt }
    : undefined;

function fromAuthorization(
  authz: Authorization,
): Pick<ActiveToken, 'sub' | 'cid' | 'scp' | 'aud' | 'act' | 'cnf' | 'extra'> {
  const extra: Record<string, unknown> = { ...authz.atc };
  if (authz.clm?.length) extra.clm = authz.clm;
  if (authz.cll?.length) extra.cll = authz.cll;
  if (authz.uip && Object.keys(authz.uip).length) extra.uip = authz.uip;
  if (authz.dat && Object.keys(authz.dat).length) extra.dat = authz.dat;
  return {
    sub: authz.sub,
    cid: authz.cid,
    scp: authz.scp,
    ...(authz.aud?.length ? { aud: authz.aud } : {}),
    ...(authz.act ? { act: authz.act } : {}),
    ...(authz.cnf ? { cnf: { jkt: authz.cnf.jkt } } : {}),
    extra,
  };
}

/**
 * Resolve an access token of this tenant, served under `issuer`: a JWT (or
 * JWE) signed with the tenant's keys, or an identifier it minted. Tokens of
 * another tenant, another issuer alias, expired or revoked ones are null.
 */
export async function inspectAccessToken(
  context: TenantContext,
  issuer: string,
  token: string,
  deps: DataPlaneDeps,
): Promise<ActiveToken | null> {
  const tid = context.tenant.tid;
  const now = epochSeconds(deps.oauth.clock);
  let active: ActiveToken | null = null;
  const parts = token.split('.').length;
  if (parts === 3 || parts === 5) {
    const decoded = await decodeJwtAccessToken(token, context.keys, context.secrets['access-token-enc']);
    const claims = decoded && decodeAccessTokenClaims(context, decoded);
    if (
      !claims ||
      typeof claims.sub !== 'string' ||
      typeof claims.iat !== 'number' ||
      typeof claims.exp !== 'number' ||
      typeof claims.iss !== 'string'
    )
      return null;
    const cid =
      typeof claims.cid === 'string' ? claims.cid : typeof claims.client_id === 'string' ? claims.client_id : undefined;
    if (!cid) return null;
    // Either name, either form: a claims codec may write the scope as an array or a string (plugins/jwt-claims-codec.ts).
    const scp = scopeValues(claims.scp ?? claims.scope);
    const { iss, sub, iat, exp, jti, aud, act, cnf, scp: _s, scope: _sc, cid: _c, client_id: _ci, ...rest } = claims;
    const confirmation = dpopConfirmation(cnf);
    active = {
      sub,
      cid,
      scp,
      iss,
      iat,
      exp,
      ...(typeof jti === 'string' ? { jti } : {}),
      ...(asStrings(aud) ? { aud: asStrings(aud)! } : {}),
      ...(act ? { act } : {}),
      ...(confirmation ? { cnf: confirmation } : {}),
      extra: rest,
      kind: 'jwt',
    };
  } else {
    const identifier = identifierOf(context, token);
    if (!checkIdentifier(context.secrets['identifier-hmac'], 'at', identifier)) return null;
    const record = await deps.oauth.accessTokens.get(tid, identifier);
    if (!record) return null;
    active = {
      ...fromAuthorization(record.authz),
      iss: record.iss,
      iat: record.iat,
      exp: record.exp,
      jti: record.jti,
      kind: 'identifier',
      identifier,
    };
  }
  if (!active) return null;
  // A token is valid only under the issuer (primary or alias) it was issued under.
  if (active.iss !== issuer || active.exp <= now) return null;
  if (await deps.oauth.journal.isRevoked(tid, active.sub, active.cid, active.iat)) return null;
  return active;
}

/** The RFC 7662 response members of an active token. */
export function introspectionMembers(active: ActiveToken, audienceFor?: string): Record<string, unknown> {
  return {
    active: true,
    scope: active.scp.join(' '),
    client_id: active.cid,
    // RFC 9449 §6.2: a DPoP-bound token says so, with its key.
    token_type: active.cnf ? 'DPoP' : 'Bearer',
    exp: active.exp,
    iat: active.iat,
    sub: active.sub,
    iss: active.iss,
    // The audience shown to a client is pruned to that client.
    ...(active.aud ? { aud: audienceFor && active.aud.includes(audienceFor) ? [audienceFor] : active.aud } : {}),
    ...(active.jti ? { jti: active.jti } : {}),
    ...(active.act ? { act: active.act } : {}),
    ...(active.cnf ? { cnf: active.cnf } : {}),
    ...active.extra,
  };
}
