import swagger from '@fastify/swagger';
import { installErrorHandling } from '@tessera/shared/http/errors';
import { outboundPolicy } from '@tessera/shared/http/outbound-policy';
import { limitConnections, serverLimitOptions } from '@tessera/shared/http/server-limits';
import { installSingleHostRule } from '@tessera/shared/http/single-host';
import { installValidation } from '@tessera/shared/http/validation';
import { registerHsmPoolGauge } from '@tessera/shared/keys/pkcs11/hsm-pool';
import { AccessLog, accessLogSettings, installAccessLog } from '@tessera/shared/observability/access-log';
import { loggerOptions } from '@tessera/shared/observability/logger';
import { installHttpMetrics } from '@tessera/shared/observability/metrics';
import { postgresCheck, redisCheck, registerMonitorRoutes } from '@tessera/shared/observability/monitor';
import { installRequestIdHeader, requestIdOptions } from '@tessera/shared/observability/request-id';
import { installRequestSpans } from '@tessera/shared/observability/request-spans';
import { activeTracer } from '@tessera/shared/observability/tracing';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { registerAdminTokenRoutes } from './api/admin-tokens.ts';
import { registerAliasRoutes } from './api/aliases.ts';
import { registerApiReference } from './api/api-reference.ts';
import { registerApiTokenRoutes } from './api/api-tokens.ts';
import { registerAuditRoutes } from './api/audit.ts';
import { registerConfigCheck } from './api/config-check.ts';
import type { ControlPlaneDeps } from './api/deps.ts';
import { registerDomainRoutes } from './api/domains.ts';
import { registerEventDeliveryRoutes } from './api/event-deliveries.ts';
import { registerIssuerMigrationRoutes } from './api/issuer-migrations.ts';
import { controlPlaneOpenApi } from './api/openapi.ts';
import { registerPlanRoutes } from './api/plans.ts';
import { registerResourceServerRoutes } from './api/resource-servers.ts';
import { registerStripeWebhookRoute } from './api/stripe-webhook.ts';
import { registerTenantClientRoutes } from './api/tenant-clients.ts';
import { registerTenantKeyRoutes } from './api/tenant-keys.ts';
import { registerTenantSecretRoutes } from './api/tenant-secrets.ts';
import { registerTenantStatusRoutes } from './api/tenant-status.ts';
import { registerTenantUserRoutes } from './api/tenant-users.ts';
import { registerTenantRoutes } from './api/tenants.ts';
import { registerUsageRoutes } from './api/usage.ts';
import { installAdminAuth } from './auth/admin-auth.ts';
import { registerAdminJwt } from './auth/admin-jwt.ts';
import { redisAdminTokenDenylist } from './auth/admin-token-denylist.ts';
import { temporalGraceTimer } from './billing/grace-timer.ts';
import { stripeBillingAccounts } from './billing/stripe-billing-accounts.ts';
import { createStripe } from './billing/stripe-client.ts';
import { registerConsoleApi } from './console/console-api.ts';
import { ConsoleMemberStore } from './console/console-members.ts';
import { ConsoleSettingsStore, cachedConsoleSettings } from './console/console-settings.ts';
import { ConsoleTokens } from './console/console-tokens.ts';
import { operatorTenantOf } from './console/operator-tenant.ts';
import { registerConsoleWeb } from './console/web/console-web.ts';

/**
 * The control plane API: admin auth (operator key or admin JWT) on every
 * route but health, admin tokens, the config check, the tenants registry
 * (lifecycle through Temporal workflows) and its API tokens, monitoring, and
 * the OpenAPI document generated from the route schemas.
 */
export async function buildControlPlane(deps: ControlPlaneDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions('control-plane'),
    // The caller's X-Request-Id or traceparent trace id, else a new one; echoed on every answer.
    ...requestIdOptions,
    // Requests are counted in metrics; logs carry warnings and errors, not a line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (it costs ~8% of a token request); errors carry the request id themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: 1024 * 1024,
    // Header, request and idle deadlines: a client that never finishes its request does not hold a connection.
    ...serverLimitOptions(deps.settings.http),
  });
  // Tracing (only when OTEL_EXPORTER_OTLP_ENDPOINT started it): a server span per request, named by route pattern.
  const tracer = activeTracer();
  if (tracer)
    installRequestSpans(app, tracer, {
      route: (request) => request.routeOptions.url ?? 'unmatched',
      tenant: () => undefined,
    });
  limitConnections(app.server, deps.settings.http);
  installRequestIdHeader(app);
  const access = accessLogSettings();
  if (access.enabled) installAccessLog(app, new AccessLog('control-plane', access));
  installErrorHandling(app);
  installSingleHostRule(app);
  installValidation(app);
  await app.register(swagger, controlPlaneOpenApi);
  await registerAdminJwt(app, deps.masterKey);
  const denylist = redisAdminTokenDenylist(deps.redis);
  // The admin console signs in at the operator tenant; its members' access tokens are taken on every route.
  const consoleSettings = new ConsoleSettingsStore(deps.db, deps.masterKey, deps.settings.consoleId);
  const consoleMembers = new ConsoleMemberStore(deps.db);
  const currentConsoleSettings = cachedConsoleSettings(consoleSettings);
  const consoleTokens = new ConsoleTokens(currentConsoleSettings, consoleMembers);
  installAdminAuth(app, {
    operatorKeySha256: deps.settings.operatorKeySha256,
    denylist,
    consoleTokens,
    operatorTenant: operatorTenantOf(deps.db, currentConsoleSettings),
  });
  const { registry } = installHttpMetrics(app, {
    prefix: 'tessera_control_plane',
    tenantOf: (request) => (request.params as { tid?: string } | undefined)?.tid ?? '-',
  });
  // slot-pool mode: free pool tokens (at 0 provisioning fails), read from PostgreSQL at each scrape.
  if (deps.settings.hsm.mode === 'slot-pool') registerHsmPoolGauge(registry, deps.db, deps.settings.hsm.pool);
  registerMonitorRoutes(app, {
    checks: { postgres: postgresCheck(deps.db), redis: redisCheck(deps.redis) },
    registry,
    // The monitoring token (what Prometheus holds) or the operator key.
    tokenSha256: [...deps.settings.operatorKeySha256, ...deps.settings.monitorTokenSha256],
    open: deps.settings.monitorMetricsOpen,
  });
  registerConfigCheck(app, { pluginModules: deps.settings.pluginModules });
  registerAdminTokenRoutes(app, denylist, deps.db);
  // With billing off (no Stripe configured) a plan change touches no subscription.
  const billing =
    deps.billing ?? (deps.settings.stripe.enabled ? stripeBillingAccounts(createStripe(deps.settings)) : undefined);
  registerTenantRoutes(app, { ...deps, ...(billing ? { billing } : {}) });
  registerTenantStatusRoutes(app, deps);
  registerUsageRoutes(app, deps);
  registerEventDeliveryRoutes(app, deps);
  registerApiTokenRoutes(app, deps);
  registerTenantSecretRoutes(app, deps);
  registerResourceServerRoutes(app, deps);
  registerAliasRoutes(app, deps);
  registerIssuerMigrationRoutes(app, deps);
  registerPlanRoutes(app, deps);
  registerAuditRoutes(app, deps);
  // Read-only views of a tenant's keys, clients and directory users (the console's viewers hold no API token).
  registerTenantKeyRoutes(app, deps);
  registerTenantClientRoutes(app, deps);
  registerTenantUserRoutes(app, deps);
  registerConsoleApi(app, {
    db: deps.db,
    settings: consoleSettings,
    members: consoleMembers,
    onSettingsChange: () => currentConsoleSettings.invalidate(),
  });
  await registerConsoleWeb(app, {
    redis: deps.redis,
    masterKey: deps.masterKey,
    settings: currentConsoleSettings,
    tokens: consoleTokens,
  });
  // The custom-host HTTP challenge fetches a URL a tenant admin chose: public addresses only, unless allowed.
  registerDomainRoutes(app, deps, outboundPolicy({ allowPrivate: deps.settings.clientFetchPrivate }));
  await registerStripeWebhookRoute(app, {
    db: deps.db,
    redis: deps.redis,
    redisPrefix: deps.settings.redisPrefix,
    webhookSecret: deps.settings.stripe.webhookSecret,
    graceMs: deps.settings.billingGraceDays * 86_400_000,
    startGraceTimer: temporalGraceTimer(deps.temporal, deps.temporalSettings),
  });
  // Public, like the reference page that renders it (api/api-reference.ts): a description is no secret.
  app.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, async () => app.swagger());
  registerApiReference(app);
  return app;
}
