import type { TenantConfig } from '@tessera/shared/config/tenant-config';
import { type ConfigProblem, validateTenantConfig } from '@tessera/shared/config/validate-tenant-config';
import type { AliasMode } from '@tessera/shared/db/schema';
import { issuerProblem, tidProblem } from '@tessera/shared/tenancy/identifiers';

export interface CreateTenantInput {
  tid: string;
  name: string;
  issuer: string;
  plan?: string;
  config?: unknown;
  aliases?: Array<{ issuer: string; mode: AliasMode }>;
  attrs?: Record<string, unknown>;
}

export interface CheckedTenantInput {
  tid: string;
  name: string;
  issuer: string;
  plan: string;
  config: TenantConfig;
  aliases: Array<{ issuer: string; mode: AliasMode }>;
  attrs: Record<string, unknown>;
}

/**
 * Every problem of a create request, each with its JSON path (config problems
 * under `$.config`), or the checked input with the config's defaults filled.
 */
export function checkCreateTenant(
  input: CreateTenantInput,
  defaultBackend: 'software' | 'pkcs11',
  options: { pluginModules?: boolean } = {},
): { ok: true; value: CheckedTenantInput } | { ok: false; errors: ConfigProblem[] } {
  const errors: ConfigProblem[] = [];
  const tid = tidProblem(input.tid);
  if (tid) errors.push({ path: '$.tid', message: tid });
  const issuer = issuerProblem(input.issuer);
  if (issuer) errors.push({ path: '$.issuer', message: issuer });
  const aliases = input.aliases ?? [];
  const seen = new Set([input.issuer]);
  aliases.forEach((alias, i) => {
    const problem = issuerProblem(alias.issuer);
    if (problem) errors.push({ path: `$.aliases[${i}].issuer`, message: problem });
    else if (seen.has(alias.issuer))
      errors.push({ path: `$.aliases[${i}].issuer`, message: 'repeats another issuer of this tenant' });
    seen.add(alias.issuer);
  });
  const config = validateTenantConfig(withBackend(input.config, defaultBackend), options);
  if (!config.ok)
    errors.push(...config.errors.map((e) => ({ path: e.path.replace(/^\$/, '$.config'), message: e.message })));
  if (errors.length > 0 || !config.ok) return { ok: false, errors };
  return {
    ok: true,
    value: {
      tid: input.tid,
      name: input.name,
      issuer: input.issuer,
      plan: input.plan ?? 'free',
      config: config.config,
      aliases,
      attrs: input.attrs ?? {},
    },
  };
}

/** A config that does not name its key backend gets this deployment's default (the HSM where there is one). */
export function withBackend(config: unknown, backend: 'software' | 'pkcs11'): unknown {
  if (config !== undefined && (typeof config !== 'object' || config === null || Array.isArray(config))) return config;
  const c = (config ?? {}) as { keys?: unknown };
  if (c.keys !== undefined && (typeof c.keys !== 'object' || c.keys === null || Array.isArray(c.keys))) return config;
  const keys = (c.keys ?? {}) as Record<string, unknown>;
  return 'backend' in keys ? config : { ...c, keys: { ...keys, backend } };
}
