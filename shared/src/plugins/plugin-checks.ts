import { X509Certificate } from 'node:crypto';
import type { TenantConfig } from '../config/tenant-config.ts';
import { parseUrl, schemeProblem } from '../config/url-scheme.ts';
import { modulePathProblem } from './slot-module.ts';
import { SLOTS_BY_NAME } from './slots/index.ts';

/** A problem at a JSONPath (the validator's ConfigProblem). */
interface Problem {
  path: string;
  message: string;
}

type SlotConfig = { type: string } & Record<string, unknown>;

/** What this deployment allows beyond the config itself. */
export interface PluginOptions {
  /** Module targets (`TESSERA_PLUGIN_MODULES=allow`, self-hosted); refused otherwise. */
  pluginModules?: boolean;
}

/** One named rule over one configured slot. */
type SlotCheck = (config: SlotConfig, path: string, slot: string, options: PluginOptions) => Problem[];

/** An endpoint the platform calls: absolute, no credentials or fragment, and the scheme rule. */
function urlProblem(value: string, secure: string, plain: string): string | undefined {
  const url = parseUrl(value);
  if (!url) return 'must be an absolute URL';
  if (url.username || url.password) return 'must not carry credentials';
  if (url.hash) return 'must not have a fragment';
  return schemeProblem(url, secure, plain);
}

const webhookUrl: SlotCheck = (c, path) => {
  if (c.type !== 'webhook') return [];
  const problem = urlProblem(String(c.url), 'https:', 'http:');
  return problem ? [{ path: `${path}.url`, message: problem }] : [];
};

/**
 * A module runs in the data plane's process: only where the operator allows
 * it, and never imported here (the control plane may run elsewhere; the
 * data plane loads it at its first call).
 */
const moduleTarget: SlotCheck = (c, path, _slot, options) => {
  if (c.type !== 'module') return [];
  if (!options.pluginModules)
    return [{ path, message: 'plugin modules are not allowed in this deployment (use a webhook)' }];
  const problem = modulePathProblem(String(c.module));
  return problem ? [{ path: `${path}.module`, message: problem }] : [];
};

/** Claims the server sets itself: an LDAP attribute never supplies them. */
const SERVER_CLAIMS = new Set([
  ...['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'cnf', 'auth_time', 'nonce', 'acr', 'amr', 'azp', 'sid'],
  ...['at_hash', 'c_hash', 's_hash', 'updated_at', 'client_id', 'scope', 'scp', 'cid'],
]);

/** One parenthesised filter: `(…)` as a whole, parentheses balanced (escaped ones are `\28`, `\29`). */
function oneFilter(filter: string): boolean {
  if (!filter.startsWith('(') || !filter.endsWith(')')) return false;
  let depth = 0;
  for (let i = 0; i < filter.length; i++) {
    if (filter[i] === '(') depth++;
    else if (filter[i] === ')') depth--;
    // Closed before the end: two filters side by side, or more closing than opening.
    if (depth <= 0 && i < filter.length - 1) return false;
  }
  return depth === 0;
}

const ldapRules: SlotCheck = (c, path) => {
  if (c.type !== 'ldap') return [];
  const problems: Problem[] = [];
  const problem = urlProblem(String(c.url), 'ldaps:', 'ldap:');
  if (problem) problems.push({ path: `${path}.url`, message: problem });
  else if (!/^ldaps?:\/\/[^/?#]+\/?$/.test(String(c.url)))
    problems.push({ path: `${path}.url`, message: 'must be ldaps://host[:port] (no DN, attributes or filter)' });
  const filter = String(c.userFilter ?? '(uid={username})');
  if (!filter.includes('{username}')) problems.push({ path: `${path}.userFilter`, message: 'must contain {username}' });
  else if (!oneFilter(filter))
    problems.push({ path: `${path}.userFilter`, message: 'must be one parenthesised filter, e.g. (uid={username})' });
  if (c.bindPasswordSecret !== undefined && c.bindDn === undefined)
    problems.push({ path: `${path}.bindPasswordSecret`, message: 'needs bindDn' });
  if (c.bindDn !== undefined && c.bindPasswordSecret === undefined)
    problems.push({
      path: `${path}.bindDn`,
      message: 'needs bindPasswordSecret (the tenant secret with its password)',
    });
  for (const claim of Object.keys((c.claims ?? {}) as Record<string, string>))
    if (SERVER_CLAIMS.has(claim))
      problems.push({ path: `${path}.claims.${claim}`, message: `the server sets ${claim}; no attribute supplies it` });
  return problems;
};

/** Claims no codec may rename or change: the token would no longer verify or mean the same. */
export const FIXED_CLAIMS: ReadonlySet<string> = new Set(['iss', 'sub', 'aud', 'exp', 'nbf', 'iat', 'jti', 'cnf']);

const renameRules: SlotCheck = (c, path) => {
  if (c.type !== 'builtin' || typeof c.rename !== 'object' || c.rename === null) return [];
  const problems: Problem[] = [];
  const targets = new Map<string, string>();
  for (const [from, to] of Object.entries(c.rename as Record<string, string>)) {
    const at = `${path}.rename${/^[A-Za-z_$][\w$]*$/.test(from) ? `.${from}` : `[${JSON.stringify(from)}]`}`;
    if (FIXED_CLAIMS.has(from) || FIXED_CLAIMS.has(to))
      problems.push({ path: at, message: `the registered claim ${FIXED_CLAIMS.has(from) ? from : to} is not renamed` });
    else if (targets.has(to)) problems.push({ path: at, message: `${targets.get(to)} is renamed to ${to} too` });
    targets.set(to, from);
  }
  return problems;
};

/** RFC 6749 §5.1 members: a built-in extra member never replaces one. */
const STANDARD_MEMBERS = new Set([
  'access_token',
  'token_type',
  'expires_in',
  'refresh_token',
  'refresh_token_expires_in',
  'scope',
  'id_token',
  'issued_token_type',
  'authorization_details',
]);

const extraMembers: SlotCheck = (c, path) => {
  if (c.type !== 'builtin' || typeof c.members !== 'object' || c.members === null) return [];
  return Object.keys(c.members)
    .filter((m) => STANDARD_MEMBERS.has(m))
    .map((m) => ({ path: `${path}.members.${m}`, message: 'is a standard member and cannot be replaced' }));
};

const trustAnchors: SlotCheck = (c, path) => {
  if (c.type !== 'builtin' || !Array.isArray(c.trustAnchors)) return [];
  const problems: Problem[] = [];
  c.trustAnchors.forEach((pem, i) => {
    try {
      new X509Certificate(String(pem));
    } catch {
      problems.push({ path: `${path}.trustAnchors[${i}]`, message: 'is not a PEM X.509 certificate' });
    }
  });
  return problems;
};

/** The rules every configured slot runs through, in order. */
const SLOT_CHECKS: readonly SlotCheck[] = [
  webhookUrl,
  moduleTarget,
  ldapRules,
  renameRules,
  extraMembers,
  trustAnchors,
];

/**
 * The cross-member rules of `plugins` and `events`, for the slots whose
 * shape the schema passed (`broken` names the sections and members it did not): no slot the product cannot run yet, https endpoints, and
 * each built-in's own rules.
 */
export function pluginProblems(
  c: TenantConfig,
  broken: (member: string) => boolean,
  options: PluginOptions = {},
): Problem[] {
  const problems: Problem[] = [];
  if (broken('plugins') && (typeof c.plugins !== 'object' || c.plugins === null)) return problems;
  for (const [name, config] of Object.entries(c.plugins as Record<string, SlotConfig | undefined>)) {
    if (config === undefined || broken(`plugins/${name}`)) continue;
    const slot = SLOTS_BY_NAME.get(name);
    const path = `$.plugins.${name}`;
    if (slot && !slot.available) {
      problems.push({ path, message: `the ${slot.title} slot is not available yet: ${slot.unavailableReason}` });
      continue;
    }
    for (const check of SLOT_CHECKS) problems.push(...check(config, path, name, options));
  }
  if (broken('events')) return problems;
  c.events.endpoints.forEach((endpoint, i) => {
    const problem = urlProblem(endpoint.url, 'https:', 'http:');
    if (problem) problems.push({ path: `$.events.endpoints[${i}].url`, message: problem });
  });
  return problems;
}
