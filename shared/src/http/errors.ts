import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** An error with an HTTP status and an `error` code, rendered as `{error, error_description}`. */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;

  constructor(statusCode: number, code: string, description: string, options: { headers?: Record<string, string>; extra?: Record<string, unknown> } = {}) {
    // An expected outcome, not a bug: skip the stack trace, which costs more
    // than the rest of an error response (and invalid_tenant can be sent by anyone).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(description);
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
  }
}

export const badRequest = (description: string, code = 'invalid_request') => new HttpError(400, code, description);
export const notFound = (description: string, code = 'not_found') => new HttpError(404, code, description);

/** Fastify's own client-error codes, all answered as 400 per contract §6. */
const CLIENT_ERRORS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'Bad request: the body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'Bad request: the JSON body is empty',
  FST_ERR_CTP_BODY_TOO_LARGE: 'Bad request: the body is larger than allowed',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Bad request: unsupported Content-Type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'Bad request: Content-Length does not match the body',
  FST_ERR_CTP_INVALID_TYPE: 'Bad request: invalid Content-Type',
  FST_ERR_CTP_EMPTY_TYPE: 'Bad request: missing Content-Type',
  FST_ERR_BAD_URL: 'Bad request: malformed URL',
  FST_ERR_ASYNC_CONSTRAINT: 'Bad request: malformed request',
};

function sendError(reply: FastifyReply, status: number, error: string, description: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error, error_description: description, ...extra });
}

/**
 * Install the error contract on a fastify instance: known errors keep their
 * code, malformed input is a 400 with a message saying what was wrong, and
 * anything unexpected is a bare 500 with no stack trace (it is logged).
 */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof HttpError) {
      reply.headers(err.headers);
      return sendError(reply, err.statusCode, err.code, err.message, err.extra);
    }
    if (err.name === 'KeyStoreUnavailableError') {
      request.log.warn({ err, reqId: request.id }, 'key store unavailable');
      return sendError(reply.header('retry-after', '5'), 503, 'temporarily_unavailable', `The key store is unavailable: ${err.message}`);
    }
    if (err.validation) {
      const where = err.validationContext ?? 'request';
      return sendError(reply, 400, 'invalid_request', `Bad request: ${where}${err.message.replace(/^(body|querystring|params|headers)/, '')}`);
    }
    const known = err.code ? CLIENT_ERRORS[err.code] : undefined;
    if (known) return sendError(reply, 400, 'invalid_request', known);
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return sendError(reply, 400, 'invalid_request', 'Bad request');
    }
    request.log.error({ err, reqId: request.id, method: request.method, path: request.url.split('?')[0] }, 'unhandled error');
    return sendError(reply, 500, 'server_error', 'Internal server error');
  });
  app.setNotFoundHandler((request, reply) => sendError(reply, 404, 'not_found', `No resource at ${request.method} ${request.url.split('?')[0]}`));
}
