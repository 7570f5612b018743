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

/**
 * PostgreSQL refusing a value the request carried, not a bug of ours:
 * SQLSTATE class 22, data exception (22021 a NUL or invalid byte sequence in
 * text, 22P05 untranslatable character, 22P02 invalid text representation, a
 * number out of range, a value too long, …) and 54000, a value too large to
 * index. Identifiers are checked before queries (text/printable-identifier.ts);
 * this keeps any input that slips past from becoming a 500.
 */
function isDatabaseInputError(e: { code?: unknown; severity?: unknown }): boolean {
  return typeof e.code === 'string' && typeof e.severity === 'string' && (/^22[0-9A-Z]{3}$/.test(e.code) || e.code === '54000');
}

/** How an error is answered: status, extra headers, the `{error, error_description}` body, and whether it is logged. */
export interface ErrorReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { error: string; error_description: string };
  /** Expected outcomes are not logged; these are. */
  log?: 'warn' | 'error';
}

const reply = (statusCode: number, error: string, description: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}, log?: 'warn' | 'error'): ErrorReply => ({
  statusCode,
  headers: { 'cache-control': 'no-store', ...headers },
  body: { error, error_description: description, ...extra },
  ...(log ? { log } : {}),
});

/**
 * The error contract in one place (fastify's error handler answers with
 * it): known errors keep their code,
 * malformed input is a 400 with a message saying what was wrong, and
 * anything unexpected is a bare 500 with no stack trace (logged instead).
 */
export function describeError(err: unknown): ErrorReply {
  if (err instanceof HttpError) return reply(err.statusCode, err.code, err.message, err.extra, err.headers);
  const e = (err ?? {}) as Partial<FastifyError>;
  if (e.name === 'KeyStoreUnavailableError') {
    return reply(503, 'temporarily_unavailable', `The key store is unavailable: ${e.message}`, {}, { 'retry-after': '5' }, 'warn');
  }
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    return reply(400, 'invalid_request', `Bad request: ${where}${(e.message ?? '').replace(/^(body|querystring|params|headers)/, '')}`);
  }
  if (isDatabaseInputError(e as { code?: unknown; severity?: unknown })) {
    return reply(400, 'invalid_request', 'Bad request: a value contains characters, or has a form or size, that cannot be stored');
  }
  const known = e.code ? CLIENT_ERRORS[e.code] : undefined;
  if (known) return reply(400, 'invalid_request', known);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return reply(400, 'invalid_request', 'Bad request');
  return reply(500, 'server_error', 'Internal server error', {}, {}, 'error');
}

function sendError(res: FastifyReply, status: number, error: string, description: string) {
  return res.code(status).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({ error, error_description: description });
}

/** Install the error contract (describeError) on a fastify instance. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request: FastifyRequest, res: FastifyReply) => {
    const answer = describeError(err);
    if (answer.log === 'warn') request.log.warn({ err, reqId: request.id }, 'key store unavailable');
    if (answer.log === 'error') request.log.error({ err, reqId: request.id, method: request.method, path: request.url.split('?')[0] }, 'unhandled error');
    return res.code(answer.statusCode).headers(answer.headers).type('application/json; charset=utf-8').send(answer.body);
  });
  app.setNotFoundHandler((request, res) => sendError(res, 404, 'not_found', `No resource at ${request.method} ${request.url.split('?')[0]}`));
}
