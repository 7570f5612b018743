import type { Authorization } from '@tessera/shared/authz/authorization';
import type { DataPlaneDeps } from '../data-plane-deps.ts';
import { sourceClaims } from '../plugins/claims-sources.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { selectClaims } from './claims-request.ts';

const ID_TOKEN = 'id_token:';
const ACCESS_TOKEN = 'access_token:';

/**
 * Consented claims are names, optionally prefixed (Connect2id consent
 * vocabulary): `id_token:name` goes in the ID token, `access_token:name`
 * in the access token, a plain name to UserInfo — or to the ID token when
 * the transport is ID_TOKEN or no access token is issued to fetch it with.
 */
export function claimTargets(
  consented: readonly string[],
  toIdToken: boolean,
): { idToken: string[]; userinfo: string[]; accessToken: string[] } {
  const idToken: string[] = [];
  const userinfo: string[] = [];
  const accessToken: string[] = [];
  for (const claim of consented) {
    if (claim.startsWith(ID_TOKEN)) idToken.push(claim.slice(ID_TOKEN.length));
    else if (claim.startsWith(ACCESS_TOKEN)) accessToken.push(claim.slice(ACCESS_TOKEN.length));
    else (toIdToken ? idToken : userinfo).push(claim);
  }
  return { idToken: [...new Set(idToken)], userinfo: [...new Set(userinfo)], accessToken: [...new Set(accessToken)] };
}

/**
 * The `clm` of an authorisation from the consented claim names: a prefixed
 * name stays as it is; a plain one goes to the ID token (`id_token:`) under
 * the ID_TOKEN transport, else to UserInfo — and to both when the request's
 * `claims` parameter asked for it in the ID token (Core §5.5).
 */
export function consentedClaims(
  names: readonly string[],
  transport: 'USERINFO' | 'ID_TOKEN' | undefined,
  askedInIdToken: ReadonlySet<string> = new Set(),
): string[] {
  const targets = (c: string) =>
    c.includes(':')
      ? [c]
      : transport === 'ID_TOKEN'
        ? [`${ID_TOKEN}${c}`]
        : askedInIdToken.has(c)
          ? [c, `${ID_TOKEN}${c}`]
          : [c];
  return [...new Set(names.flatMap(targets))];
}

/**
 * The values of `names` for the subject of an authorisation, from the
 * tenant's claims source (plugins/claims-sources.ts: the user directory
 * unless the tenant configured another), asked on behalf of its client and
 * scope.
 */
export async function releasedClaims(
  deps: DataPlaneDeps,
  context: TenantContext,
  authz: Pick<Authorization, 'sub' | 'cid' | 'scp'>,
  names: readonly string[],
  locales: readonly string[] = [],
): Promise<Record<string, unknown>> {
  if (names.length === 0) return {};
  const source = await sourceClaims(deps, context, {
    sub: authz.sub,
    names,
    clientId: authz.cid,
    scope: authz.scp,
    locales,
  });
  return source ? selectClaims(source, names, locales) : {};
}
