import Fastify, { LogController, type FastifyInstance } from 'fastify';
import swagger from '@fastify/swagger';
import { installErrorHandling } from '@tessera/shared/http/errors';
import { installValidation } from '@tessera/shared/http/validation';
import { loggerOptions } from '@tessera/shared/observability/logger';
import { installHttpMetrics } from '@tessera/shared/observability/metrics';
import { postgresCheck, redisCheck, registerMonitorRoutes } from '@tessera/shared/observability/monitor';
import { registerConfigCheck } from './api/config-check.ts';
import type { ControlPlaneDeps } from './api/deps.ts';
import { registerTenantRoutes } from './api/tenants.ts';
import { installOperatorAuth } from './auth/operator-auth.ts';

/**
 * The control plane API: operator auth on every route but health, the
 * config check, the tenants registry, monitoring, and the OpenAPI document
 * generated from the route schemas.
 */
export async function buildControlPlane(deps: ControlPlaneDeps): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions('control-plane'),
    // Requests are counted in metrics; logs carry warnings and errors, not a line per request.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (it costs ~8% of a token request); errors carry the request id themselves.
    childLoggerFactory: (logger) => logger,
    bodyLimit: 1024 * 1024,
  });
  installErrorHandling(app);
  installValidation(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Tessera control plane', version: '1' },
      components: { securitySchemes: { operator: { type: 'http', scheme: 'bearer' } } },
      security: [{ operator: [] }],
    },
  });
  installOperatorAuth(app, deps.settings.operatorKeySha256);
  const { registry } = installHttpMetrics(app, {
    prefix: 'tessera_control_plane',
    tenantOf: (request) => (request.params as { tid?: string } | undefined)?.tid ?? '-',
  });
  registerMonitorRoutes(app, {
    checks: { postgres: postgresCheck(deps.db), redis: redisCheck(deps.redis) },
    registry,
    tokenSha256: deps.settings.operatorKeySha256,
  });
  registerConfigCheck(app);
  registerTenantRoutes(app, deps);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  return app;
}
