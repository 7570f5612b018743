import type { IncomingMessage } from 'node:http';
import { HttpError } from '@tessera/shared/http/errors';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import '@tessera/shared/http/route-config';
import { SERVED_STATUSES } from '@tessera/shared/tenancy/tenant';
import type { ExternalOrigin } from './external-origin.ts';
import type { IssuerIndex } from './issuer-index.ts';
import { type Resolution, resolveRequest } from './resolve-request.ts';
import type { TenantCache } from './tenant-cache.ts';
import type { TenantContext } from './tenant-context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The tenant this request is served for (absent only on node-wide routes). */
    tenant?: TenantContext;
    /** The issuer URL (primary or alias) the request is served under; goes into every `iss`. */
    issuer?: string;
  }
}

/**
 * Resolutions by raw request. A WeakMap, not a property on the request: adding
 * a property to every IncomingMessage changes its hidden class and slows every
 * later access to it across node's HTTP code.
 */
const resolutions = new WeakMap<IncomingMessage, Resolution>();

/**
 * Fastify's `rewriteUrl` runs before routing: resolve the tenant there (a few
 * in-memory look-ups) and route on the path relative to the issuer, so every
 * endpoint is registered once at its issuer-relative path.
 */
export function tenantUrlRewriter(index: IssuerIndex, origins: ExternalOrigin) {
  return (req: IncomingMessage): string => {
    const url = req.url ?? '/';
    const resolution = resolveRequest(
      { url, headers: req.headers, remoteAddress: req.socket.remoteAddress, encrypted: 'encrypted' in req.socket },
      index,
      origins,
    );
    resolutions.set(req, resolution);
    return resolution.ok ? resolution.url : url;
  };
}

/**
 * The tenant for a request, or an error saying why there is none (contract
 * §3, §6), before its body is read; the error is answered through the
 * pipeline like any other (http/fastify-adapter.ts).
 */
export function installTenantResolution(app: FastifyInstance, cache: TenantCache): void {
  app.decorateRequest('tenant', undefined);
  app.decorateRequest('issuer', undefined);
  app.addHook('onRequest', (request, _reply, done) => {
    const resolution = resolutions.get(request.raw);
    if (!resolution?.ok) {
      if (!tenantRequired(request)) return done();
      return done(new HttpError(400, 'invalid_tenant', resolution?.reason ?? 'No tenant'));
    }
    const cached = cache.peek(resolution.tid);
    if (cached) {
      cache.stats.hits++;
      return attach(request, resolution.issuer, cached, done);
    }
    cache.stats.misses++;
    cache.load(resolution.tid).then((context) => attach(request, resolution.issuer, context, done), done);
  });
}

/** Whether the route needs a tenant (node-wide routes do not); read only when there is none, as fastify builds `routeOptions` on every read. */
const tenantRequired = (request: FastifyRequest): boolean => request.routeOptions.config?.tenant !== false;

/**
 * The tenant and issuer on the request, or the refusal of a tenant that is
 * unknown or not served (a module function, not a closure made per request).
 */
function attach(
  request: FastifyRequest,
  issuer: string,
  context: TenantContext | undefined,
  done: (err?: Error) => void,
): void {
  const problem = context ? servingProblem(context) : new HttpError(400, 'invalid_tenant', 'Unknown tenant');
  if (problem) {
    if (tenantRequired(request)) done(problem);
    else done();
    return;
  }
  request.tenant = context;
  request.issuer = issuer;
  done();
}

export function servingProblem(context: TenantContext): HttpError | null {
  const { status } = context.tenant;
  if (status === 'suspended') return new HttpError(403, 'tenant_suspended', 'The tenant is suspended');
  if (!SERVED_STATUSES.has(status)) return new HttpError(400, 'invalid_tenant', 'The tenant is not available');
  return null;
}
