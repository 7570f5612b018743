import { Value } from '@sinclair/typebox/value';
import { type PluginOptions, pluginProblems } from '../plugins/plugin-checks.ts';
import { resourceIndicatorProblem } from '../resources/resource-indicator.ts';
import { type TenantConfig, TenantConfigSchema } from './tenant-config.ts';
import { parseUrl, schemeProblem } from './url-scheme.ts';

/** One problem in a config, located by a JSONPath such as `$.tokens.accessTokenLifetime`. */
export interface ConfigProblem {
  path: string;
  message: string;
}

export type ConfigCheckResult = { ok: true; config: TenantConfig } | { ok: false; errors: ConfigProblem[] };

const MAX_PROBLEMS = 100;

/** `/grants/grantTypes/0` → `$.grants.grantTypes[0]` */
export function pointerToJsonPath(pointer: string): string {
  if (pointer === '') return '$';
  return (
    '$' +
    pointer
      .split('/')
      .slice(1)
      .map((raw) => raw.replace(/~1/g, '/').replace(/~0/g, '~'))
      .map((seg) =>
        /^\d+$/.test(seg) ? `[${seg}]` : /^[A-Za-z_$][\w$]*$/.test(seg) ? `.${seg}` : `[${JSON.stringify(seg)}]`,
      )
      .join('')
  );
}

function describe(error: { message: string; schema: unknown }): string {
  const schema = error.schema as { anyOf?: Array<{ const?: unknown }> };
  if (Array.isArray(schema.anyOf) && schema.anyOf.every((s) => s.const !== undefined)) {
    return `must be one of: ${schema.anyOf.map((s) => JSON.stringify(s.const)).join(', ')}`;
  }
  return error.message.charAt(0).toLowerCase() + error.message.slice(1);
}

/**
 * Cross-member rules the schema alone cannot express. A rule runs only when
 * the sections it reads passed the schema, so every problem is reported once
 * and no rule reads a malformed value.
 */
function semanticProblems(c: TenantConfig, broken: Set<string>, options: PluginOptions): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!broken.has('keys')) keyRules(c, problems);
  if (!broken.has('grants')) grantRules(c, problems);
  if (!broken.has('tokens')) tokenRules(c, problems);
  if (!broken.has('login')) loginRules(c, problems);
  if (!broken.has('resources')) resourceRules(c, problems);
  if (!broken.has('trustedIssuers')) trustedIssuerRules(c, problems);
  // Plugins are checked slot by slot: one malformed slot does not hide the problems of the others.
  problems.push(...pluginProblems(c, (member) => broken.has('') || broken.has(member), options));
  return problems;
}

function keyRules(c: TenantConfig, problems: ConfigProblem[]): void {
  const algs = new Set<string>(c.keys.signingAlgorithms);
  if (!algs.has(c.keys.idTokenSigningAlgorithm)) {
    problems.push({
      path: '$.keys.idTokenSigningAlgorithm',
      message: `${c.keys.idTokenSigningAlgorithm} is not in keys.signingAlgorithms`,
    });
  }
  if (!algs.has(c.keys.accessTokenSigningAlgorithm)) {
    problems.push({
      path: '$.keys.accessTokenSigningAlgorithm',
      message: `${c.keys.accessTokenSigningAlgorithm} is not in keys.signingAlgorithms`,
    });
  }
}

/** Grants the config may name but the product cannot run yet: refused until their handler lands. */
const UNBUILT_GRANTS: ReadonlySet<string> = new Set([
  'urn:ietf:params:oauth:grant-type:saml2-bearer',
  'urn:openid:params:grant-type:ciba',
]);

function grantRules(c: TenantConfig, problems: ConfigProblem[]): void {
  const grants = new Set<string>(c.grants.grantTypes);
  c.grants.grantTypes.forEach((grant, i) => {
    if (UNBUILT_GRANTS.has(grant))
      problems.push({ path: `$.grants.grantTypes[${i}]`, message: `the grant type ${grant} is not available yet` });
  });
  c.grants.responseTypes.forEach((rt, i) => {
    const parts = rt.split(' ');
    if (parts.includes('code') && !grants.has('authorization_code')) {
      problems.push({
        path: `$.grants.responseTypes[${i}]`,
        message: `response type "${rt}" needs the authorization_code grant`,
      });
    }
    if ((parts.includes('token') || parts.includes('id_token')) && !grants.has('implicit')) {
      problems.push({
        path: `$.grants.responseTypes[${i}]`,
        message: `response type "${rt}" needs the implicit grant`,
      });
    }
  });
}

function tokenRules(c: TenantConfig, problems: ConfigProblem[]): void {
  const t = c.tokens;
  if (t.refreshTokenLifetime > 0 && t.accessTokenLifetime > t.refreshTokenLifetime) {
    problems.push({ path: '$.tokens.accessTokenLifetime', message: 'must not exceed tokens.refreshTokenLifetime' });
  }
  if (t.refreshTokenLifetime > 0 && t.refreshTokenMaxIdle > t.refreshTokenLifetime) {
    problems.push({ path: '$.tokens.refreshTokenMaxIdle', message: 'must not exceed tokens.refreshTokenLifetime' });
  }
}

function resourceRules(c: TenantConfig, problems: ConfigProblem[]): void {
  const problem = c.resources.default === undefined ? undefined : resourceIndicatorProblem(c.resources.default);
  if (problem) problems.push({ path: '$.resources.default', message: problem });
}

function loginRules(c: TenantConfig, problems: ConfigProblem[]): void {
  if (c.login.logoUrl === undefined) return;
  const url = parseUrl(c.login.logoUrl);
  const problem = url ? schemeProblem(url, 'https:', 'http:') : 'must be an https URL (http only for localhost)';
  if (problem) problems.push({ path: '$.login.logoUrl', message: problem });
}

/** Each trusted issuer once, with its keys one way (a URL under the scheme rule, or inline). */
function trustedIssuerRules(c: TenantConfig, problems: ConfigProblem[]): void {
  const seen = new Set<string>();
  c.trustedIssuers.forEach((t, i) => {
    const path = `$.trustedIssuers[${i}]`;
    if (seen.has(t.issuer)) problems.push({ path: `${path}.issuer`, message: 'is listed twice' });
    seen.add(t.issuer);
    if ((t.jwksUri === undefined) === (t.jwks === undefined))
      problems.push({ path, message: 'needs exactly one of jwksUri and jwks' });
    if (t.jwksUri !== undefined) {
      const url = parseUrl(t.jwksUri);
      const problem = !url
        ? 'must be an absolute URL'
        : url.username || url.password
          ? 'must not carry credentials'
          : schemeProblem(url, 'https:', 'http:');
      if (problem) problems.push({ path: `${path}.jwksUri`, message: problem });
    }
    t.jwks?.keys.forEach((key, k) => {
      if (typeof key.kty !== 'string' || key.kty === 'oct' || 'd' in key)
        problems.push({
          path: `${path}.jwks.keys[${k}]`,
          message: 'must be a public JWK (no symmetric or private key)',
        });
    });
  });
}

/**
 * The one validator: the control plane's config check, tenant creation and
 * update, and the data plane's loader all call this. It fills defaults and
 * reports every problem it finds (up to 100), each with its path.
 * `options` is what the deployment allows (plugin modules: refused unless
 * the control plane's `TESSERA_PLUGIN_MODULES=allow`).
 */
export function validateTenantConfig(input: unknown, options: PluginOptions = {}): ConfigCheckResult {
  const raw = input === undefined || input === null ? {} : input;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, errors: [{ path: '$', message: 'must be a JSON object' }] };
  }
  const candidate = Value.Default(TenantConfigSchema, structuredClone(raw));
  const errors: ConfigProblem[] = [];
  const broken = new Set<string>();
  for (const error of Value.Errors(TenantConfigSchema, candidate)) {
    errors.push({ path: pointerToJsonPath(error.path), message: describe(error) });
    const [, section = '', member] = error.path.split('/');
    broken.add(section);
    if (member !== undefined) broken.add(`${section}/${member}`);
    if (errors.length >= MAX_PROBLEMS) return { ok: false, errors };
  }
  // The root itself broken (not an object) leaves nothing for the rules to read.
  if (!broken.has('')) errors.push(...semanticProblems(candidate as TenantConfig, broken, options));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, config: candidate as TenantConfig };
}

/**
 * Parse a config already known to be valid (e.g. read back from the
 * database). What the control plane allowed when it was written stays
 * loadable: a module target is accepted here, and a data plane whose own
 * setting is off refuses it at call time instead (the slot's failure rule).
 */
export function parseTenantConfig(input: unknown): TenantConfig {
  const result = validateTenantConfig(input, { pluginModules: true });
  if (!result.ok) {
    throw new Error(
      `stored tenant config is invalid: ${result.errors.map((e) => `${e.path} ${e.message}`).join('; ')}`,
    );
  }
  return result.config;
}
