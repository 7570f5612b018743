import type { MasterKey } from '@tessera/shared/crypto/master-key';
import type { Db } from '@tessera/shared/db/database';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { limitConnections, serverLimitOptions } from '@tessera/shared/http/server-limits';
import { installSingleHostRule } from '@tessera/shared/http/single-host';
import { installValidation } from '@tessera/shared/http/validation';
import type { KeyStores } from '@tessera/shared/keys/key-stores';
import { AccessLog, accessLogSettings } from '@tessera/shared/observability/access-log';
import { BusinessMetrics } from '@tessera/shared/observability/business-metrics';
import { loggerOptions } from '@tessera/shared/observability/logger';
import { createHttpMetrics } from '@tessera/shared/observability/metrics';
import { postgresCheck, redisCheck } from '@tessera/shared/observability/monitor';
import { requestIdOptions } from '@tessera/shared/observability/request-id';
import { installRequestSpans, traceTenantResolution } from '@tessera/shared/observability/request-spans';
import { activeTracer } from '@tessera/shared/observability/tracing';
import { HttpWebhookInvoker } from '@tessera/shared/plugins/http-webhook-invoker';
import { TenantSecretStore } from '@tessera/shared/plugins/tenant-secret-store';
import type { Settings } from '@tessera/shared/settings';
import { announceTenantChange, publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Redis } from 'ioredis';
import type { DestinationStream } from 'pino';
import { ClientKeySets } from './client-auth/client-jwks.ts';
import type { AreaName } from './core/endpoint.ts';
import { NOT_FOUND_ROUTE } from './core/not-found-route.ts';
import { Pipeline } from './core/pipeline.ts';
import { accessLog } from './core/policies/access-log.ts';
import { cors } from './core/policies/cors.ts';
import { countIssuerRequest } from './core/policies/count-issuer-request.ts';
import { echoRequestId } from './core/policies/echo-request-id.ts';
import { enforceMonthlyCaps } from './core/policies/enforce-monthly-caps.ts';
import { limitTokenRate } from './core/policies/limit-token-rate.ts';
import { measure } from './core/policies/measure.ts';
import { meterUsage } from './core/policies/meter-usage.ts';
import { noStore } from './core/policies/no-store.ts';
import type { Policy } from './core/policy.ts';
import type { AnyRoute } from './core/route.ts';
import type { DataPlaneDeps } from './data-plane-deps.ts';
import { ENDPOINTS } from './endpoints/index.ts';
import { areasOf } from './http/areas.ts';
import { serveThroughPipeline } from './http/fastify-adapter.ts';
import { installFormBody } from './http/form-body.ts';
import { monitorEndpoint } from './integration/monitor.ts';
import { redisMonthTotals } from './limits/month-totals.ts';
import { MonthUsage } from './limits/month-usage.ts';
import { redisTokenRateLimiter } from './limits/redis-token-rate.ts';
import { BackchannelJobs } from './logout/backchannel-jobs.ts';
import { UsageCounts } from './metering/usage-counts.ts';
import { oauthServices, type PasswordAuthenticator } from './oauth/oauth-services.ts';
import { ModuleRunner } from './plugins/module-runner.ts';
import { slotInvoker } from './plugins/slot-invoker.ts';
import { type Clock, systemClock } from './ports/clock.ts';
import { PgApiTokenHashes } from './stores/api-token-hashes.ts';
import { CachedTenantSecrets } from './stores/cached-tenant-secrets.ts';
import { ClientCache } from './stores/client-cache.ts';
import { CorsOriginCache } from './stores/cors-origin-cache.ts';
import { RedisEventOutbox } from './stores/event-outbox.ts';
import { measuredEventSink } from './stores/measured-event-sink.ts';
import { storePorts } from './stores/store-ports.ts';
import { trustedProxies } from './tenancy/client-address.ts';
import { ExternalOrigin } from './tenancy/external-origin.ts';
import { IssuerIndex } from './tenancy/issuer-index.ts';
import { IssuerRequestCounts } from './tenancy/issuer-requests.ts';
import { installTenantResolution, tenantUrlRewriter } from './tenancy/resolve-tenant.ts';
import { TenantCache } from './tenancy/tenant-cache.ts';
import { TenantSync } from './tenancy/tenant-sync.ts';
import { TrustedIssuerKeySets } from './trust/trusted-issuer-keys.ts';

export interface DataPlaneOptions {
  settings: Settings;
  db: Db;
  /** Commands (prefixed keys). */
  redis: Redis;
  /** A dedicated connection for pub/sub. */
  subscriber: Redis;
  keyStores: KeyStores;
  masterKey: MasterKey;
  /** The password grant's handler; the built-in user directory when none is given. */
  passwordAuthenticator?: PasswordAuthenticator;
  tenantCacheSize?: number;
  /** What decides expiry and validity (default: the system clock). */
  clock?: Clock;
  resyncMs?: number;
  /** Policies run after the built-in ones around every route (tests; later, deployment-specific policy). */
  extraPolicies?: readonly Policy[];
  /** The access log: on/off and sampling (default: `TESSERA_ACCESS_LOG`, `TESSERA_ACCESS_LOG_SAMPLE`), and where lines go (default stdout). */
  accessLog?: { enabled?: boolean; sample?: number; destination?: DestinationStream };
}

export interface DataPlane {
  app: FastifyInstance;
  /** The pub/sub connection the tenant sync listens on. */
  subscriber: Redis;
  sync: TenantSync;
  cache: TenantCache;
  index: IssuerIndex;
  /** The one request path every route and refusal goes through. */
  pipeline: Pipeline;
}

/**
 * The composition root of the data plane. Request path: fastify (a thin
 * adapter, http/fastify-adapter.ts) → tenant resolution (`rewriteUrl` and
 * the first `onRequest` hook, tenancy/resolve-tenant.ts) → the pipeline
 * (core/pipeline.ts): its policies around the route's declared steps, from
 * the endpoints in `endpoints/index.ts`, one encapsulated plugin per area
 * (http/areas.ts). Call `sync.start()` before listening.
 */
export function buildDataPlane(options: DataPlaneOptions): DataPlane {
  const { settings, db, redis } = options;
  const index = new IssuerIndex();
  const cache = new TenantCache(db, options.masterKey, { max: options.tenantCacheSize ?? 100_000 });
  const origins = new ExternalOrigin(settings.trustedProxies);
  const app = Fastify({
    // Every request, the token endpoint's too, goes through fastify: its hooks and plugins see them all.
    ...serverLimitOptions(settings.http),
    logger: loggerOptions('data-plane'),
    // The caller's X-Request-Id or traceparent trace id, else a new one (echoed by the echoRequestId policy).
    ...requestIdOptions,
    rewriteUrl: tenantUrlRewriter(index, origins),
    // request.ip: the address the nearest trusted proxy saw (tenancy/client-address.ts).
    trustProxy: trustedProxies(origins),
    // Requests are counted in metrics; logs carry warnings and errors, not a line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (it costs ~8% of a token request); errors carry the request id themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: 256 * 1024,
    // Issuers are matched on the raw path; Fastify's own trailing-slash and case rules must not differ.
    routerOptions: { ignoreTrailingSlash: false, caseSensitive: true, maxParamLength: 500 },
    return503OnClosing: true,
  });
  // Tracing (only when OTEL_EXPORTER_OTLP_ENDPOINT started it): a server span per request, before every other hook.
  const tracer = activeTracer();
  if (tracer)
    installRequestSpans(app, tracer, {
      route: (request) => request.routeOptions.config?.route?.name ?? NOT_FOUND_ROUTE.name,
      tenant: (request) => request.tenant?.tenant.tid,
    });
  limitConnections(app.server, settings.http);
  installSingleHostRule(app);
  installValidation(app);
  installFormBody(app);
  if (tracer)
    traceTenantResolution(
      app,
      tracer,
      (request) => request.tenant?.tenant.tid,
      () => installTenantResolution(app, cache),
    );
  else installTenantResolution(app, cache);
  const metrics = createHttpMetrics({ prefix: 'tessera_data_plane' });
  const { registry } = metrics;
  const business = new BusinessMetrics(registry, metrics.tenants);
  business.cache('tenant', cache.stats);
  for (const store of [options.keyStores.software, options.keyStores.pkcs11])
    if (store) store.onSign = (backend, seconds, ok) => business.keySign(backend, seconds, ok);
  const issuerRequests = new IssuerRequestCounts();
  // Metering is on unless TESSERA_METERING=off (what bench:token compares).
  const usage = settings.metering ? new UsageCounts() : undefined;
  const clock = options.clock ?? systemClock;
  // The plans' token rate limits and hard monthly caps (docs/billing.md), unless TESSERA_QUOTAS=off (what bench:token compares).
  const monthUsage = settings.quotas
    ? new MonthUsage(redisMonthTotals(redis), clock, {}, (err) =>
        app.log.warn({ err }, "month usage not read: hard caps count this node's usage only"),
      )
    : undefined;
  const quotas = monthUsage
    ? [
        limitTokenRate(
          redisTokenRateLimiter(redis, clock, (err) => app.log.warn({ err }, 'token rate limit failed open')),
        ),
        enforceMonthlyCaps(monthUsage, clock),
      ]
    : [];
  const announce = async (tid: string) => {
    await announceTenantChange(db, redis, settings.redisPrefix, tid);
    await sync.refreshTenant(tid); // this node at once, not only when the message comes back
  };
  const outbound = outboundPolicy({ allowPrivate: settings.clientFetchPrivate });
  // Plugin secrets per node: evicted when the tenant is announced (the control plane does after every change), 60 s at most.
  const tenantSecrets = new CachedTenantSecrets(new TenantSecretStore(db, options.masterKey, clock));
  // Webhooks go where client documents may (plain http only to loopback, and only where private addresses are allowed).
  const httpWebhooks = new HttpWebhookInvoker({
    policy: outbound,
    secrets: tenantSecrets,
    allowLoopbackHttp: settings.clientFetchPrivate,
    clock,
  });
  // Operators' modules (self-hosted, TESSERA_PLUGIN_MODULES=allow): a file that does not load is logged once.
  const modules = new ModuleRunner({
    allowed: settings.pluginModules,
    onLoadError: (module, detail) => app.log.error({ module, detail }, 'plugin module not loaded'),
  });
  const webhooks = slotInvoker(httpWebhooks, modules);
  const ports = storePorts({
    db,
    redis,
    masterKey: options.masterKey,
    keyStores: options.keyStores,
    clock,
  });
  const { clientStore, clients, users: directory } = ports;
  if (clients instanceof ClientCache) business.cache('client', clients.stats);
  // Preflights are judged by the origins of all the tenant's clients (nothing names the client yet): kept per tenant.
  const corsOrigins = new CorsOriginCache(clientStore);
  // The cross-cutting policy of every route (core/policies/): counted per issuer, metered, never cached unless an answer says so, open to the browser apps the tenant's clients name, measured, held to the plan.
  const access = { ...accessLogSettings(), ...options.accessLog };
  const pipeline = new Pipeline(
    [
      echoRequestId,
      ...(access.enabled ? [accessLog(new AccessLog('data-plane', access, options.accessLog?.destination))] : []),
      measure(metrics.observe),
      countIssuerRequest(issuerRequests),
      ...(usage ? [meterUsage(usage)] : []),
      noStore,
      cors(corsOrigins),
      ...quotas,
      ...(options.extraPolicies ?? []),
    ],
    app.log,
    { tracer },
  );
  const announceClient = async (tid: string, clientId: string) => {
    clients.evict(tid, clientId);
    corsOrigins.evictTenant(tid);
    await publishTenantChange(redis, settings.redisPrefix, { tid, kind: 'client', clientId });
  };
  // The built-in directory checks passwords unless another authenticator is configured.
  const oauth = oauthServices(ports, options.passwordAuthenticator ?? directory, webhooks);
  // Back-channel logout notices: queued by whichever node ends a session, delivered by any node's worker (started when ready).
  const backchannelLogout = new BackchannelJobs({
    redisUrl: settings.redisUrl,
    redisPrefix: settings.redisPrefix,
    settings: settings.backchannelLogout,
    log: (line, message) => app.log.warn(line, message),
  });
  const deps: DataPlaneDeps = {
    oauth,
    directory,
    db,
    redis,
    settings,
    metrics: registry,
    keyStores: options.keyStores,
    masterKey: options.masterKey,
    clientStore,
    clients,
    announce,
    announceClient,
    providerMetadata: (context, issuer) => {
      const metadata: Record<string, unknown> = { issuer };
      for (const endpoint of ENDPOINTS) Object.assign(metadata, endpoint.metadata?.(context, issuer, deps));
      return metadata;
    },
    outbound,
    clientKeySets: new ClientKeySets(outbound, clock),
    trustedIssuerKeys: new TrustedIssuerKeySets(outbound, clock, { allowLoopbackHttp: settings.clientFetchPrivate }),
    events: measuredEventSink(new RedisEventOutbox(redis, clock), business),
    business,
    backchannelLogout,
    webhooks,
    tenantSecrets,
    apiTokens: new PgApiTokenHashes(db, clock),
  };
  const hsm = options.keyStores.hsmCheck();
  const monitor = monitorEndpoint({
    checks: { postgres: postgresCheck(db), redis: redisCheck(redis), ...(hsm ? { hsm } : {}) },
    registry,
    tokenSha256: settings.monitorTokenSha256,
    open: settings.monitorMetricsOpen === true,
    log: app.log,
  });
  const routes = new Map<AreaName, AnyRoute[]>();
  for (const endpoint of [...ENDPOINTS, monitor])
    routes.set(endpoint.area, [...(routes.get(endpoint.area) ?? []), ...endpoint.routes(deps)]);
  serveThroughPipeline(app, pipeline, areasOf(routes));
  let stopCounting: (() => Promise<void>) | undefined;
  let stopMetering: (() => Promise<void>) | undefined;
  let stopReadingUsage: (() => void) | undefined;
  app.addHook('onReady', async () => {
    stopReadingUsage = monthUsage?.start();
    stopCounting = issuerRequests.startFlusher(redis, 1000, (err) =>
      app.log.warn({ err }, 'issuer request counters not flushed'),
    );
    stopMetering = usage?.startFlusher(redis, 1000, (err) => app.log.warn({ err }, 'usage counters not flushed'));
    backchannelLogout.start({
      deps,
      tenant: async (tid) => cache.peek(tid) ?? cache.load(tid),
      allowLoopbackHttp: settings.clientFetchPrivate,
    });
  });
  app.addHook('onClose', async () => {
    stopReadingUsage?.();
    httpWebhooks.close();
    await Promise.all([stopCounting?.(), stopMetering?.(), backchannelLogout.close()]);
  });
  const sync: TenantSync = new TenantSync({
    db,
    subscriber: options.subscriber,
    prefix: settings.redisPrefix,
    index,
    cache,
    log: app.log,
    onChange: (tid) => {
      options.keyStores.forgetTenant(tid);
      clients.evictTenant(tid);
      corsOrigins.evictTenant(tid);
      tenantSecrets.evictTenant(tid);
      // Resource server changes are announced as tenant changes (durable: a missed message is caught at resync).
      oauth.resourceServers.evictTenant(tid);
    },
    onClientChange: (tid, clientId) => {
      clients.evict(tid, clientId);
      corsOrigins.evictTenant(tid);
    },
    onApplied: (lagMs) => business.tenantChangeApplied(lagMs / 1000),
    ...(options.resyncMs !== undefined ? { resyncMs: options.resyncMs } : {}),
  });
  app.addHook('onClose', async () => sync.stop());
  return { app, subscriber: options.subscriber, sync, cache, index, pipeline };
}
