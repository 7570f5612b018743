import type { Authorization } from '@tessera/shared/authz/authorization';
import type { Client } from '@tessera/shared/clients/client';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { resourceIndicatorProblem } from '@tessera/shared/resources/resource-indicator';
import { clientMayUse, type ResourceServer } from '@tessera/shared/resources/resource-server';
import type { ResourceServerLookup } from '../ports/resource-servers.ts';
import type { TenantContext } from '../tenancy/tenant-context.ts';
import { oauthError } from './oauth-error.ts';

/**
 * RFC 8707 resource indicators (docs/oauth.md "APIs and audiences"). A
 * request names the APIs it wants tokens for with `resource` (an absolute
 * URI without a fragment; repeated for several — the parameter readers join
 * the values with spaces, which a URI cannot hold) or, Auth0 style, with one
 * `audience`. Each must be a resource server of the tenant that the client
 * may use, else `invalid_target` (§2). Tokens get `aud` = the resources;
 * a scope value an API defines is granted only along with that API.
 */

const invalidTarget = (description: string) => oauthError('invalid_target', description);

/** The identifiers a request names (`resource` values, then `audience`), or undefined when it names none. */
export function requestedResources(params: Readonly<Record<string, string>>): string[] | undefined {
  const named = [...(params.resource?.split(' ') ?? []), ...(params.audience !== undefined ? [params.audience] : [])];
  const values = named.filter((v) => v.length > 0);
  if (values.length === 0) return undefined;
  for (const value of values) {
    const problem = resourceIndicatorProblem(value);
    if (problem) throw invalidTarget(`The resource ${JSON.stringify(value.slice(0, 100))} ${problem}`);
  }
  return [...new Set(values)];
}

/** The resource servers named, each known in this tenant and open to the client; invalid_target otherwise. */
export async function resourceServersOf(
  lookup: ResourceServerLookup,
  tid: string,
  client: Client,
  identifiers: readonly string[],
): Promise<ResourceServer[]> {
  const found = await Promise.all(identifiers.map((id) => lookup.get(tid, id)));
  return found.map((rs, i) => {
    if (!rs) throw invalidTarget(`Unknown resource: ${identifiers[i]}`);
    if (!clientMayUse(rs, client.clientId))
      throw invalidTarget(`The client may not request tokens for the resource ${rs.identifier}`);
    return rs;
  });
}

/** The tenant's default resource (`resources.default`), when it exists and the client may use it; else none. */
async function defaultResource(lookup: ResourceServerLookup, tenant: TenantContext, client: Client) {
  const identifier = tenant.tenant.config.resources.default;
  if (identifier === undefined) return [];
  const rs = await lookup.get(tenant.tenant.tid, identifier);
  return rs && clientMayUse(rs, client.clientId) ? [rs] : [];
}

/**
 * The resource servers a new grant is for (token endpoint: client
 * credentials, password; authorisation endpoint): those the request names,
 * or the tenant's default, or none (today's tokens, without `aud`).
 */
export async function resourcesOfRequest(
  lookup: ResourceServerLookup,
  tenant: TenantContext,
  client: Client,
  params: Readonly<Record<string, string>>,
): Promise<ResourceServer[]> {
  const named = requestedResources(params);
  if (named) return resourceServersOf(lookup, tenant.tenant.tid, client, named);
  return defaultResource(lookup, tenant, client);
}

/** The scope values the resource servers define (granted only along with one of them). */
export const apiScopes = (servers: readonly ResourceServer[]): ReadonlySet<string> =>
  new Set(servers.flatMap((rs) => rs.scopes));

/** A value members agree on, or undefined when none sets it or two differ. */
function agreed<T>(values: readonly (T | undefined)[]): T | undefined {
  const set = [...new Set(values.filter((v) => v !== undefined))];
  return set.length === 1 && values.every((v) => v === set[0]) ? set[0] : undefined;
}

/**
 * An authorisation for these resource servers: `aud` = their identifiers,
 * and their access-token settings: the shortest lifetime any sets; format,
 * profile and algorithm where they all agree (else the authorisation's, the
 * tenant's). An algorithm the tenant no longer has keys for is ignored.
 * Nothing changes without resource servers.
 */
export function forResources(
  config: TenantConfig,
  authz: Authorization,
  servers: readonly ResourceServer[],
): Authorization {
  if (servers.length === 0) return authz;
  const settings = servers.map((rs) => rs.accessToken);
  const lifetimes = settings.map((s) => s.lifetime).filter((l): l is number => l !== undefined);
  const format = agreed(settings.map((s) => s.format));
  const profile = agreed(settings.map((s) => s.profile));
  const alg = agreed(settings.map((s) => s.alg));
  const current = authz.accessToken.lifetime;
  const lifetime = lifetimes.length ? Math.min(...lifetimes, current > 0 ? current : Infinity) : current;
  return {
    ...authz,
    aud: servers.map((rs) => rs.identifier),
    accessToken: {
      ...authz.accessToken,
      lifetime,
      ...(format ? { encoding: format === 'identifier' ? 'IDENTIFIER' : 'SELF_CONTAINED' } : {}),
      ...(profile ? { profile } : {}),
      ...(alg && (config.keys.signingAlgorithms as readonly string[]).includes(alg) ? { alg } : {}),
    },
  };
}

/**
 * A token request on an existing grant (authorization_code, refresh_token)
 * may narrow it to some of its resources (RFC 8707 §2.2): each named must
 * be in the grant's `aud` (invalid_target otherwise) and still a resource
 * server the client may use. The access token is then for those only: its
 * `aud`, their token settings, and its scope without the values only the
 * other resources define. Without `resource` the token is for the whole
 * grant, with the token settings of its resource servers.
 */
export async function narrowedToResources(
  lookup: ResourceServerLookup,
  tenant: TenantContext,
  client: Client,
  params: Readonly<Record<string, string>>,
  authz: Authorization,
): Promise<Authorization> {
  const named = requestedResources(params);
  const granted = authz.aud ?? [];
  const tid = tenant.tenant.tid;
  if (!named) {
    // The whole grant: the token settings of those of its audiences that are resource servers (others may be
    // audiences a consent named), and its `aud` as granted.
    const known = (await Promise.all(granted.map((r) => lookup.get(tid, r)))).filter(
      (rs): rs is ResourceServer => rs !== undefined,
    );
    return known.length ? { ...forResources(tenant.tenant.config, authz, known), aud: granted } : authz;
  }
  const outside = named.filter((r) => !granted.includes(r));
  if (outside.length) throw invalidTarget(`Not granted originally: ${outside.join(' ')}`);
  const kept = await resourceServersOf(lookup, tid, client, named);
  const others = (await Promise.all(granted.filter((r) => !named.includes(r)).map((r) => lookup.get(tid, r)))).filter(
    (rs): rs is ResourceServer => rs !== undefined,
  );
  const keptScopes = apiScopes(kept);
  const otherScopes = apiScopes(others);
  const scp = authz.scp.filter((v) => keptScopes.has(v) || !otherScopes.has(v));
  return forResources(tenant.tenant.config, { ...authz, scp }, kept);
}
