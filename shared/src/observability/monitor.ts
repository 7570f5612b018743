import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import { sql } from 'kysely';
import type { Registry } from 'prom-client';
import type { Db } from '../db/database.ts';
import { bearerToken, matchesAnyHash } from '../http/api-token.ts';
import { HttpError, messageChain } from '../http/errors.ts';
import '../http/route-config.ts';

export type HealthCheck = () => Promise<void>;

export interface CheckResult {
  healthy: boolean;
  /** Public: the check's outcome in our words. */
  message?: string;
  /** Private: the failure's own message (an address, a PKCS#11 code), logged. */
  detail?: string;
}

async function withTimeout(check: HealthCheck, ms: number): Promise<CheckResult> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Error(`no answer within ${ms} ms`);
  try {
    await Promise.race([
      check(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(late), ms);
      }),
    ]);
    return { healthy: true };
  } catch (err) {
    // The health check is public: what failed inside is the operator's, in the log.
    return { healthy: false, message: err === late ? late.message : 'failed', detail: messageChain(err) };
  } finally {
    clearTimeout(timer);
  }
}

export const postgresCheck =
  (db: Db): HealthCheck =>
  async () => {
    await sql`select 1`.execute(db);
  };
export const redisCheck =
  (redis: Redis): HealthCheck =>
  async () => {
    await redis.ping();
  };

/** Where a failed check's own text goes (it is the operator's, never the public answer's). */
export interface HealthLog {
  warn(details: object, message: string): void;
}

/**
 * Run every check (2 s each, in parallel): 200 when all pass, else 503, body
 * `{check: {healthy, message?}}`, the message "failed" or "no answer within
 * 2000 ms"; the failure's own text is logged.
 */
export async function healthReport(
  checks: Record<string, HealthCheck>,
  log: HealthLog,
  reqId: string,
): Promise<{ status: number; body: Record<string, CheckResult> }> {
  const names = Object.keys(checks);
  const results = await Promise.all(names.map((n) => withTimeout(checks[n]!, 2000)));
  const body: Record<string, CheckResult> = {};
  names.forEach((name, i) => {
    const { detail, ...shown } = results[i]!;
    if (detail !== undefined) log.warn({ reqId, check: name, detail }, 'health check failed');
    body[name] = shown;
  });
  return { status: results.every((r) => r.healthy) ? 200 : 503, body };
}

/**
 * `/monitor/v1/live` (public, 200 while the process serves requests, no
 * dependency checked: the liveness probe), `/monitor/v1/healthcheck`
 * (public, healthReport: the readiness probe) and `/monitor/v1/metrics`
 * (Prometheus text). Metrics name every tenant, so they fail closed: a
 * bearer token whose SHA-256 is in `tokenSha256` is required (none
 * configured: nobody gets in) unless `open` says otherwise. Both are
 * node-wide. (The data plane serves the same two through its pipeline:
 * data-plane/src/integration/monitor.ts.)
 */
export function registerMonitorRoutes(
  app: FastifyInstance,
  options: { checks: Record<string, HealthCheck>; registry: Registry; tokenSha256: readonly string[]; open?: boolean },
): void {
  app.get('/monitor/v1/live', { config: { tenant: false, public: true } }, async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ live: true }),
  );
  app.get('/monitor/v1/healthcheck', { config: { tenant: false, public: true } }, async (request, reply) => {
    const { status, body } = await healthReport(options.checks, request.log, request.id);
    return reply.code(status).header('cache-control', 'no-store').send(body);
  });
  app.get('/monitor/v1/metrics', { config: { tenant: false, ownCredentials: true } }, async (request, reply) => {
    if (options.open !== true) requireMonitoringToken(request.headers.authorization, options.tokenSha256);
    return reply
      .type(options.registry.contentType)
      .header('cache-control', 'no-store')
      .send(await options.registry.metrics());
  });
}

/** A bearer token whose SHA-256 is one of `tokenSha256`, else 401. */
export function requireMonitoringToken(authorization: string | undefined, tokenSha256: readonly string[]): void {
  const token = bearerToken(authorization);
  if (token && matchesAnyHash(token, tokenSha256)) return;
  throw new HttpError(401, token ? 'invalid_token' : 'missing_token', 'A valid monitoring bearer token is required', {
    headers: { 'www-authenticate': token ? 'Bearer error="invalid_token"' : 'Bearer' },
  });
}
