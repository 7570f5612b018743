import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { CoreAnswer } from '../../../src/core/core-answer.ts';
import type { TenantRequest } from '../../../src/core/core-request.ts';
import { Pipeline, type PipelineLog } from '../../../src/core/pipeline.ts';
import { noStore } from '../../../src/core/policies/no-store.ts';
import type { Policy } from '../../../src/core/policy.ts';
import type { AnyRoute } from '../../../src/core/route.ts';
import type { TenantContext } from '../../../src/tenancy/tenant-context.ts';

/** A request of `tenant` as the transport hands it to the core: routed, body parsed, tenant resolved. */
export function coreRequest(
  tenant: TenantContext,
  options: {
    method?: string;
    path: string;
    headers?: IncomingHttpHeaders;
    body?: unknown;
    ip?: string;
    issuer?: string;
  },
): TenantRequest {
  return {
    id: randomUUID(),
    method: options.method ?? 'POST',
    path: options.path,
    url: options.path,
    headers: options.headers ?? {},
    query: {},
    body: options.body,
    params: {},
    ip: options.ip ?? '192.0.2.1',
    receivedAt: performance.now(),
    tenant,
    issuer: options.issuer ?? tenant.tenant.issuer,
  };
}

/** A form POST (`application/x-www-form-urlencoded`, the body as the transport parses it). */
export const formRequest = (
  tenant: TenantContext,
  path: string,
  form: Record<string, string>,
  headers: IncomingHttpHeaders = {},
): TenantRequest =>
  coreRequest(tenant, {
    path,
    body: form,
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

/** What the pipeline logged: refusals with a private side, failures. */
export interface LoggedLine {
  level: 'info' | 'warn' | 'error';
  details: object;
  message: string;
}

/**
 * Run one route's steps through the pipeline, with the policies the data
 * plane runs that change answers (no-store): no fastify, no sockets.
 */
export async function runRoute(
  route: AnyRoute,
  request: TenantRequest,
  policies: readonly Policy[] = [noStore],
): Promise<{ answer: CoreAnswer; logged: LoggedLine[] }> {
  const logged: LoggedLine[] = [];
  const line = (level: LoggedLine['level']) => (details: object, message: string) =>
    void logged.push({ level, details, message });
  const log: PipelineLog = { info: line('info'), warn: line('warn'), error: line('error') };
  const answer = await new Pipeline(policies, log).run(route, request);
  return { answer, logged };
}

/** The JSON body of an answer (json answers carry a value, text answers serialised JSON). */
export function answerBody(answer: CoreAnswer): Record<string, unknown> {
  if (answer.kind === 'json') return answer.body as Record<string, unknown>;
  if (answer.kind === 'text') return JSON.parse(answer.text) as Record<string, unknown>;
  throw new Error(`a ${answer.kind} answer has no JSON body`);
}
