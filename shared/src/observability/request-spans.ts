import type { IncomingMessage } from 'node:http';
import {
  type Context,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from '@opentelemetry/api';
import type { FastifyInstance, FastifyRequest } from 'fastify';

interface RequestSpans {
  /** The server span's context: what the request's own work is traced under. */
  context: Context;
  span: Span;
  tenant?: Span;
}

/** By raw request (a WeakMap, not a property: see tenancy/resolve-tenant.ts on hidden classes). */
const requests = new WeakMap<IncomingMessage, RequestSpans>();

/** The context of a request's server span, when tracing is on and it has one. */
export const requestTraceContext = (req: IncomingMessage): Context | undefined => requests.get(req)?.context;

/** What a server names in its spans: the route (a pattern or name, never the raw path) and the resolved tenant. */
export interface RequestFacts {
  route(request: FastifyRequest): string;
  tenant(request: FastifyRequest): string | undefined;
}

/**
 * A server span per request (installed only when tracing is on), continuing
 * the caller's trace from its `traceparent`, named by method and route, with
 * the tenant (`tessera.tenant_id`) and status; ended once the answer is sent.
 * Install before any other `onRequest` hook so that it covers them.
 */
export function installRequestSpans(app: FastifyInstance, tracer: Tracer, facts: RequestFacts): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = tracer.startSpan(
      request.method,
      {
        kind: SpanKind.SERVER,
        attributes: { 'http.request.method': request.method, 'tessera.request_id': request.id },
      },
      parent,
    );
    requests.set(request.raw, { context: trace.setSpan(parent, span), span });
    done();
  });
  app.addHook('onResponse', (request, reply, done) => {
    const spans = requests.get(request.raw);
    if (spans) {
      const { span } = spans;
      endTenantSpan(spans, facts.tenant(request));
      const route = facts.route(request);
      const tenant = facts.tenant(request);
      span.updateName(`${request.method} ${route}`);
      span.setAttribute('http.route', route);
      span.setAttribute('http.response.status_code', reply.statusCode);
      if (tenant !== undefined) span.setAttribute('tessera.tenant_id', tenant);
      if (reply.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
    }
    done();
  });
}

/**
 * A `tenant` span around the `onRequest` hooks installed by `install`
 * (tenant resolution): started by a hook just before them, ended by one just
 * after (or when the answer is sent, if resolution refused the request).
 */
export function traceTenantResolution(
  app: FastifyInstance,
  tracer: Tracer,
  tenantOf: (request: FastifyRequest) => string | undefined,
  install: () => void,
): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const spans = requests.get(request.raw);
    if (spans) spans.tenant = tracer.startSpan('tenant', {}, spans.context);
    done();
  });
  install();
  app.addHook('onRequest', (request, _reply, done) => {
    const spans = requests.get(request.raw);
    if (spans) endTenantSpan(spans, tenantOf(request));
    done();
  });
}

function endTenantSpan(spans: RequestSpans, tid: string | undefined): void {
  const { tenant } = spans;
  if (tenant === undefined) return;
  spans.tenant = undefined;
  if (tid !== undefined) tenant.setAttribute('tessera.tenant_id', tid);
  else tenant.setStatus({ code: SpanStatusCode.ERROR, message: 'no tenant' });
  tenant.end();
}
