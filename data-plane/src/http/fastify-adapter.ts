import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import '@tessera/shared/http/route-config';
import type { CoreAnswer } from '../core/core-answer.ts';
import { NOT_FOUND_ROUTE } from '../core/not-found-route.ts';
import type { Pipeline } from '../core/pipeline.ts';
import type { PolicyExchange } from '../core/policy.ts';
import type { AnyRoute } from '../core/route.ts';
import { isPending } from '../core/step.ts';
import { FastifyCoreRequest } from './fastify-core-request.ts';
import { writeAnswer } from './write-answer.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The core route a fastify route serves (http/fastify-adapter.ts). */
    route?: AnyRoute;
  }
  interface FastifyRequest {
    /** The request's exchange, once the pipeline admitted it on its headers. */
    exchange: PolicyExchange | null;
  }
}

/**
 * A group of routes served by one encapsulated fastify plugin (front
 * channel, back channel, client registration, discovery, management APIs,
 * monitoring): what differs between them at the transport, such as the
 * body parsers, is set up in their plugin alone.
 */
export interface Area {
  readonly name: string;
  readonly routes: readonly AnyRoute[];
  setup?(scope: FastifyInstance): void;
}

/**
 * Fastify as a thin adapter of the core: every route of every area, the
 * requests fastify refuses itself (a body it cannot parse, a failed schema,
 * a tenant that does not resolve, two Host headers) and the paths no route
 * matches are handed to the pipeline as a CoreRequest, and its CoreAnswer
 * is written back. Tenant resolution runs first (tenancy/resolve-tenant.ts);
 * routes with admission steps are admitted in their `onRequest` hook, before
 * the body is read.
 */
/**
 * Write the pipeline's answer: at once when it answered synchronously, else
 * once it settles (returned to fastify, which reports a rejection). No async
 * wrapper: a request whose steps all run synchronously takes no extra hop.
 */
function answerWith(reply: FastifyReply, answer: CoreAnswer | Promise<CoreAnswer>): Promise<FastifyReply> | undefined {
  if (!isPending(answer)) {
    writeAnswer(reply, answer);
    return undefined;
  }
  return answer.then((a) => writeAnswer(reply, a));
}

export function serveThroughPipeline(app: FastifyInstance, pipeline: Pipeline, areas: readonly Area[]): void {
  const exchangeOf = (route: AnyRoute, request: FastifyRequest, reply: FastifyReply) =>
    request.exchange ?? pipeline.exchange(route, new FastifyCoreRequest(request, reply));
  app.decorateRequest('exchange', null);
  app.setErrorHandler(async (error: FastifyError, request: FastifyRequest, reply: FastifyReply) =>
    writeAnswer(
      reply,
      await pipeline.refuse(exchangeOf(request.routeOptions.config?.route ?? NOT_FOUND_ROUTE, request, reply), error),
    ),
  );
  app.setNotFoundHandler(async (request, reply) =>
    writeAnswer(reply, await pipeline.serve(exchangeOf(NOT_FOUND_ROUTE, request, reply))),
  );
  for (const area of areas) {
    app.register(async (scope) => {
      area.setup?.(scope);
      const typed = scope.withTypeProvider<TypeBoxTypeProvider>();
      for (const route of area.routes) {
        typed.route({
          method: route.method as string | string[],
          url: route.path,
          ...(route.bodyLimit !== undefined ? { bodyLimit: route.bodyLimit } : {}),
          ...(route.schema ? { schema: route.schema } : {}),
          config: { tenant: route.tenant, route },
          ...(route.admission
            ? {
                onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
                  const x = (request.exchange = pipeline.exchange(route, new FastifyCoreRequest(request, reply)));
                  const answer = await pipeline.admit(x);
                  if (answer !== undefined) return writeAnswer(reply, answer);
                },
              }
            : {}),
          handler: (request, reply) => answerWith(reply, pipeline.serve(exchangeOf(route, request, reply))),
        });
      }
    });
  }
}
