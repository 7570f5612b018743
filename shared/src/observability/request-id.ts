import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

/** Printable ASCII without spaces, at most 128 characters: safe in a header and a log line. */
const USABLE_ID = /^[\x21-\x7e]{1,128}$/;
/** W3C Trace Context `traceparent`: version, trace id, parent id, flags (version ff is invalid). */
const TRACEPARENT = /^(?!ff)[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}(?:-.*)?$/;
const ZERO_TRACE_ID = '0'.repeat(32);

/**
 * The request's id: the caller's `X-Request-Id` when it is usable (a proxy
 * or client correlating its own logs), else the trace id of its W3C
 * `traceparent` (so logs and traces share one key), else a new UUID. An
 * unusable id (too long, control characters) is replaced, never echoed.
 */
export function requestIdOf(headers: IncomingMessage['headers']): string {
  const given = headers['x-request-id'];
  if (typeof given === 'string' && USABLE_ID.test(given)) return given;
  const traceparent = headers.traceparent;
  if (typeof traceparent === 'string') {
    const traceId = TRACEPARENT.exec(traceparent)?.[1];
    if (traceId !== undefined && traceId !== ZERO_TRACE_ID) return traceId;
  }
  return randomUUID();
}

/** Fastify server options of both planes: ids from `requestIdOf` (fastify's own header option does not validate). */
export const requestIdOptions = {
  requestIdHeader: false,
  genReqId: (req: IncomingMessage): string => requestIdOf(req.headers),
} as const;

/** The response header every answer carries. */
export const REQUEST_ID_HEADER = 'x-request-id';

/** A fastify server outside the data plane's pipeline (the control plane): every answer, errors and 404s too, names the id. */
export function installRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
