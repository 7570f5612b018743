import type { HttpLimits } from './http/server-limits.ts';
import { type HsmSettings, hsmSettings } from './keys/hsm-settings.ts';
import { issuerProblem } from './tenancy/identifiers.ts';

/** Process settings from the environment, with the defaults of contract §2. */
export interface Settings {
  databaseUrl: string;
  redisUrl: string;
  /** Every Redis key and channel of this deployment starts with it (tests use their own). */
  redisPrefix: string;
  host: string;
  dataPlanePort: number;
  controlPlanePort: number;
  /** Control plane: where the platform serves tenants (`TESSERA_ISSUER_BASE_URLS`); a tenant-scoped admin may add issuers under `<base>/<tid>` or `<tid>.<base host>` only. */
  issuerBaseUrls: string[];
  temporalAddress: string;
  /** Addresses or CIDRs whose X-Forwarded-* headers are believed. */
  trustedProxies: string[];
  /** SHA-256 hex digests of the operator API keys. */
  operatorKeySha256: string[];
  /** SHA-256 hex digests of tokens for `/monitor/v1/metrics`; empty = no token opens it (unless `monitorMetricsOpen`). */
  monitorTokenSha256: string[];
  /** `/monitor/v1/metrics` without a token (`MONITOR_METRICS=open`; default `token`): metrics name every tenant, so only on request. */
  monitorMetricsOpen: boolean;
  /** Control plane: which `console_settings` row its admin console signs in with (`TESSERA_CONSOLE_ID`, default `default`). */
  consoleId: string;
  /** Path of the PKCS#11 library; unset = software keys only. */
  pkcs11Module: string | undefined;
  /** Both planes and the worker: how tenants' keys sit on the HSM (`TESSERA_HSM_MODE` and its tokens; keys/hsm-settings.ts). */
  hsm: HsmSettings;
  /** Both planes: fetch URLs others chose — client-hosted documents (jwks_uri, request_uri, sector_identifier_uri), a custom host's HTTP challenge — from private addresses too (`CLIENT_FETCH_PRIVATE=allow`; default deny). */
  clientFetchPrivate: boolean;
  /** Both planes' HTTP servers: `HTTP_HEADERS_TIMEOUT_MS`, `HTTP_REQUEST_TIMEOUT_MS`, `HTTP_IDLE_TIMEOUT_MS`, `HTTP_MAX_CONNECTIONS`. */
  http: HttpLimits;
  /** Control plane: Stripe (docs/billing.md). `STRIPE_SECRET_KEY`; `STRIPE_API_BASE` points the SDK at stripe-mock (dev and test) instead of api.stripe.com. */
  stripe: { enabled: boolean; secretKey: string; apiBase: string | undefined; webhookSecret: string | undefined };
  /** Control plane: days between `invoice.payment_failed` and suspension (`BILLING_GRACE_DAYS`, default 7; 0 = at once). */
  billingGraceDays: number;
  /** Data plane: count usage for billing (`TESSERA_METERING=on|off`, default on; off only to measure what it costs). */
  metering: boolean;
  /** Data plane: enforce the plans' token rate limits and hard monthly caps (`TESSERA_QUOTAS=on|off`, default on; off only to measure what it costs). */
  quotas: boolean;
  /** Both planes: plugin slots may be modules run in the data plane's process (`TESSERA_PLUGIN_MODULES=allow`, self-hosted; default `off`, as in the SaaS). The control plane's config check refuses them otherwise; a data plane with `off` fails their calls. */
  pluginModules: boolean;
  /** Data plane: Back-Channel Logout deliveries (docs/logout.md): `TESSERA_LOGOUT_ATTEMPTS` (default 6), `TESSERA_LOGOUT_BACKOFF_MS` (first retry's delay, doubling; default 5000), `TESSERA_LOGOUT_TIMEOUT_MS` (per attempt; default 1000, Connect2id's HTTP connect and read timeouts). */
  backchannelLogout: BackchannelLogoutSettings;
}

export interface BackchannelLogoutSettings {
  attempts: number;
  backoffMs: number;
  timeoutMs: number;
}

const int = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name} must be a port number`);
  return n;
};

const count = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive whole number`);
  return n;
};

/** Defaults: headers within 10 s, the whole request within 30 s, idle connections closed after 60 s (longer than the control plane's ?wait=true). */
function httpLimits(env: NodeJS.ProcessEnv): HttpLimits {
  const limits = {
    headersTimeoutMs: count(env.HTTP_HEADERS_TIMEOUT_MS, 10_000, 'HTTP_HEADERS_TIMEOUT_MS'),
    requestTimeoutMs: count(env.HTTP_REQUEST_TIMEOUT_MS, 30_000, 'HTTP_REQUEST_TIMEOUT_MS'),
    idleTimeoutMs: count(env.HTTP_IDLE_TIMEOUT_MS, 60_000, 'HTTP_IDLE_TIMEOUT_MS'),
    maxConnections: count(env.HTTP_MAX_CONNECTIONS, 10_000, 'HTTP_MAX_CONNECTIONS'),
  };
  // node refuses a header deadline past the request deadline.
  if (limits.headersTimeoutMs > limits.requestTimeoutMs)
    throw new Error('HTTP_HEADERS_TIMEOUT_MS must not exceed HTTP_REQUEST_TIMEOUT_MS');
  return limits;
}

const wholeNumber = (value: string | undefined, fallback: number, name: string): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name} must be a whole number`);
  return n;
};

const choice = <T>(value: string | undefined, options: Record<string, T>, fallback: T, name: string): T => {
  if (value === undefined || value === '') return fallback;
  if (!Object.hasOwn(options, value)) throw new Error(`${name} must be one of ${Object.keys(options).join(', ')}`);
  return options[value]!;
};

const bounded = (value: string | undefined, fallback: number, name: string, min: number, max: number): number => {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}`);
  return n;
};

const list = (value: string | undefined): string[] =>
  (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

/** Issuer base URLs, each in issuer normal form; default: the data plane on localhost. */
const issuerBases = (value: string | undefined, dataPlanePort: number): string[] => {
  const bases = list(value);
  if (bases.length === 0) return [new URL(`http://localhost:${dataPlanePort}`).origin];
  for (const base of bases) {
    const problem = issuerProblem(base);
    if (problem) throw new Error(`TESSERA_ISSUER_BASE_URLS: "${base}" ${problem}`);
  }
  return bases;
};

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgres://localhost:5432/tessera',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    redisPrefix: env.REDIS_PREFIX ?? 'tessera:',
    host: env.HOST ?? 'localhost',
    dataPlanePort: int(env.DATA_PLANE_PORT, 8080, 'DATA_PLANE_PORT'),
    controlPlanePort: int(env.CONTROL_PLANE_PORT, 8081, 'CONTROL_PLANE_PORT'),
    issuerBaseUrls: issuerBases(env.TESSERA_ISSUER_BASE_URLS, int(env.DATA_PLANE_PORT, 8080, 'DATA_PLANE_PORT')),
    temporalAddress: env.TEMPORAL_ADDRESS ?? 'localhost:7233',
    trustedProxies: list(env.TRUSTED_PROXIES),
    operatorKeySha256: list(env.TESSERA_OPERATOR_KEY_SHA256).map((h) => h.toLowerCase()),
    monitorTokenSha256: list(env.MONITOR_API_TOKEN_SHA256).map((h) => h.toLowerCase()),
    monitorMetricsOpen: choice(env.MONITOR_METRICS, { open: true, token: false }, false, 'MONITOR_METRICS'),
    consoleId: env.TESSERA_CONSOLE_ID || 'default',
    pkcs11Module: env.PKCS11_MODULE || undefined,
    hsm: hsmSettings(env),
    clientFetchPrivate: choice(env.CLIENT_FETCH_PRIVATE, { allow: true, deny: false }, false, 'CLIENT_FETCH_PRIVATE'),
    http: httpLimits(env),
    stripe: {
      // Billing is off (no Stripe calls at all) when neither a key nor a mock is configured: a self-hosted node without Stripe.
      enabled: Boolean(env.STRIPE_SECRET_KEY || env.STRIPE_API_BASE),
      // stripe-mock accepts any key of the right shape (sk_test_ and letters or digits only); a real deployment sets its own.
      secretKey: env.STRIPE_SECRET_KEY || 'sk_test_tesseradev',
      apiBase: env.STRIPE_API_BASE || undefined,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET || undefined,
    },
    billingGraceDays: wholeNumber(env.BILLING_GRACE_DAYS, 7, 'BILLING_GRACE_DAYS'),
    metering: choice(env.TESSERA_METERING, { on: true, off: false }, true, 'TESSERA_METERING'),
    quotas: choice(env.TESSERA_QUOTAS, { on: true, off: false }, true, 'TESSERA_QUOTAS'),
    pluginModules: choice(env.TESSERA_PLUGIN_MODULES, { allow: true, off: false }, false, 'TESSERA_PLUGIN_MODULES'),
    backchannelLogout: {
      attempts: bounded(env.TESSERA_LOGOUT_ATTEMPTS, 6, 'TESSERA_LOGOUT_ATTEMPTS', 1, 50),
      backoffMs: bounded(env.TESSERA_LOGOUT_BACKOFF_MS, 5000, 'TESSERA_LOGOUT_BACKOFF_MS', 1, 3_600_000),
      timeoutMs: bounded(env.TESSERA_LOGOUT_TIMEOUT_MS, 1000, 'TESSERA_LOGOUT_TIMEOUT_MS', 50, 30_000),
    },
  };
}
