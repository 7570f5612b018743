import type { Client } from '@tessera/shared/clients/client';
import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { isIntrospectionScope } from '../oauth/introspection-scope.ts';
import { oauthError } from '../oauth/oauth-error.ts';

/** RFC 6749 §3.3: space-delimited scope tokens of %x21 / %x23-5B / %x5D-7E. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

export function parseScope(raw: string | undefined): string[] | undefined {
  if (raw === undefined) return undefined;
  const values = raw.split(' ').filter((v) => v.length > 0);
  if (values.some((v) => !SCOPE_TOKEN.test(v)))
    throw oauthError('invalid_scope', 'The scope contains invalid characters');
  return [...new Set(values)];
}

/** Values that give power over other clients' tokens: only a client that registered them may have them. */
export const isReservedScope = isIntrospectionScope;

const words = (scope: string | undefined) => scope?.split(' ').filter((v) => v.length > 0);

/** The tenant lists its scope values: nothing else is granted. An empty list sets no limit. */
function inTenant(config: TenantConfig): (value: string) => boolean {
  const supported = config.scopes.supported;
  return supported.length === 0 ? () => true : (value) => supported.includes(value);
}

/**
 * What a client may be granted: its registered scope; without one, the
 * tenant's default set less the reserved values. Either way only values
 * the tenant supports.
 */
export function allowedScope(config: TenantConfig, client: Client): string[] {
  return words(client.metadata.scope)?.filter(inTenant(config)) ?? unregisteredScope(config);
}

/** What any client may have without registering a scope: the tenant's default set less the reserved values. */
function unregisteredScope(config: TenantConfig): string[] {
  return config.scopes.defaultClientScope.filter((v) => !isReservedScope(v)).filter(inTenant(config));
}

/** What a client gets when it asks for nothing: what it registered (and the tenant supports), else nothing. */
export function defaultScope(config: TenantConfig, client: Client): string[] {
  return (words(client.metadata.scope) ?? []).filter(inTenant(config));
}

/** The requested values the client may not have (empty when all are allowed). */
export function scopeOutside(config: TenantConfig, client: Client, requested: readonly string[]): string[] {
  const allowed = allowedScope(config, client);
  return requested.filter((v) => !allowed.includes(v));
}

/**
 * The scope a client gets at the token endpoint: what it asked for, all of
 * which it must be allowed (invalid_scope otherwise); its default scope when
 * it asked for nothing. `api`: the values the requested resource servers
 * define (oauth/resource-indicators.ts), allowed along with them.
 */
export function grantedScope(
  config: TenantConfig,
  client: Client,
  requested: string[] | undefined,
  api: ReadonlySet<string> = new Set(),
): string[] {
  if (requested === undefined) return defaultScope(config, client);
  const outside = scopeOutside(config, client, requested).filter((v) => !api.has(v));
  if (outside.length > 0) throw oauthError('invalid_scope', `The client may not request: ${outside.join(' ')}`);
  return requested;
}

/**
 * Why a registration may not set `scope`, if it may not: a value the tenant
 * does not list; or, in an update made with the client's own registration
 * access token (`selfUpdate`), a value beyond what it registered and the
 * tenant's default set (which it could have by registering no scope):
 * anything more, a reserved value above all, needs the master token. An
 * update may always repeat what the client registered before.
 */
export function scopeRegistrationProblem(
  config: TenantConfig,
  scope: string | undefined,
  current?: Client,
  selfUpdate = false,
): string | undefined {
  const kept = new Set(words(current?.metadata.scope) ?? []);
  const added = (words(scope) ?? []).filter((v) => !kept.has(v));
  const unsupported = added.filter((v) => !inTenant(config)(v));
  if (unsupported.length > 0) return `scope values the tenant does not support: ${unsupported.join(' ')}`;
  const free = unregisteredScope(config);
  const beyond = selfUpdate ? added.filter((v) => !free.includes(v)) : [];
  if (beyond.length > 0) return `widening the scope requires the registration master token: ${beyond.join(' ')}`;
  return undefined;
}
