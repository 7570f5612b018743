import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode } from './error-codes.ts';

export type { ErrorCode } from './error-codes.ts';

export interface HttpErrorOptions {
  headers?: Record<string, string>;
  /** More members of the answer's body (`errors: [...]`). */
  extra?: Record<string, unknown>;
  /**
   * Private: what went wrong inside (a PKCS#11, PostgreSQL or network
   * message, the address that refused). Logged with the request id, never
   * sent; the description is what the client reads.
   */
  detail?: string;
  /** The error behind this one; its messages join the logged detail. */
  cause?: unknown;
}

/**
 * An error with an HTTP status and an `error` code, rendered as
 * `{error, error_description}`. The message is the public description;
 * `detail` (and `cause`) are logged, never sent.
 */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;
  readonly extra: Record<string, unknown>;
  readonly detail: string | undefined;

  constructor(statusCode: number, code: ErrorCode, description: string, options: HttpErrorOptions = {}) {
    // An expected outcome, not a bug: skip the stack trace, which costs more
    // than the rest of an error response (and invalid_tenant can be sent by anyone).
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    Error.stackTraceLimit = limit;
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
    this.detail = options.detail;
  }
}

export const badRequest = (description: string, code: ErrorCode = 'invalid_request') =>
  new HttpError(400, code, description);
export const notFound = (description: string, code: ErrorCode = 'not_found') => new HttpError(404, code, description);

/** An error's message and its causes' (`a ← b ← c`): the private detail of an unexpected failure. */
export function messageChain(err: unknown): string | undefined {
  const parts: string[] = [];
  for (
    let e = err, depth = 0;
    e !== undefined && e !== null && depth < 5;
    e = (e as { cause?: unknown }).cause, depth++
  ) {
    const code = (e as { code?: unknown }).code;
    const message = e instanceof Error ? e.message : String(e);
    parts.push(typeof code === 'string' || typeof code === 'number' ? `${message} (${code})` : message);
  }
  return parts.length > 0 ? parts.join(' ← ') : undefined;
}

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
  return (
    typeof e.code === 'string' &&
    typeof e.severity === 'string' &&
    (/^22[0-9A-Z]{3}$/.test(e.code) || e.code === '54000')
  );
}

/** How an error is answered: status, extra headers, the `{error, error_description}` body, and whether (and what) is logged. */
export interface ErrorReply {
  statusCode: number;
  headers: Record<string, string>;
  body: Record<string, unknown> & { error: ErrorCode; error_description: string };
  /** Expected outcomes are not logged; these are, at this level. */
  log?: 'info' | 'warn' | 'error';
  /** Private: logged with the request id, never sent. */
  detail?: string;
}

interface ReplyParts {
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  log?: ErrorReply['log'];
  detail?: string | undefined;
}

const reply = (statusCode: number, error: ErrorCode, description: string, parts: ReplyParts = {}): ErrorReply => ({
  statusCode,
  headers: { 'cache-control': 'no-store', ...parts.headers },
  body: { error, error_description: description, ...parts.extra },
  ...(parts.log ? { log: parts.log } : {}),
  ...(parts.detail !== undefined ? { detail: parts.detail } : {}),
});

/** A 503 is an outage we expect to pass; other 5xx are bugs; a 4xx is logged only when it carries a private detail. */
function logLevelOf(statusCode: number, detail: string | undefined): ErrorReply['log'] {
  if (statusCode === 503) return 'warn';
  if (statusCode >= 500) return 'error';
  return detail === undefined ? undefined : 'info';
}

function describeHttpError(err: HttpError): ErrorReply {
  const detail = err.detail ?? (err.cause === undefined ? undefined : messageChain(err.cause));
  return reply(err.statusCode, err.code, err.message, {
    extra: err.extra,
    headers: err.headers,
    log: logLevelOf(err.statusCode, detail),
    detail,
  });
}

/**
 * The error contract in one place (every error renderer answers with it):
 * known errors keep their code and public description, malformed input is a
 * 400 with a message saying what was wrong, and anything unexpected is a
 * bare 500 (logged instead). Internal messages — PKCS#11, PostgreSQL,
 * network, workflow — are a private `detail`, never the description.
 */
export function describeError(err: unknown): ErrorReply {
  if (err instanceof HttpError) return describeHttpError(err);
  const e = (err ?? {}) as Partial<FastifyError>;
  if (e.name === 'KeyStoreUnavailableError') {
    // Its message names the token, the module or the PKCS#11 return code: the operator's business.
    return reply(503, 'temporarily_unavailable', 'The key store is temporarily unavailable', {
      headers: { 'retry-after': '5' },
      log: 'warn',
      detail: messageChain(err),
    });
  }
  if (e.validation) {
    const where = e.validationContext ?? 'request';
    return reply(
      400,
      'invalid_request',
      `Bad request: ${where}${(e.message ?? '').replace(/^(body|querystring|params|headers)/, '')}`,
    );
  }
  if (isDatabaseInputError(e as { code?: unknown; severity?: unknown })) {
    return reply(
      400,
      'invalid_request',
      'Bad request: a value contains characters, or has a form or size, that cannot be stored',
      { detail: messageChain(err) },
    );
  }
  const known = e.code ? CLIENT_ERRORS[e.code] : undefined;
  if (known) return reply(400, 'invalid_request', known);
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500)
    return reply(400, 'invalid_request', 'Bad request', { detail: messageChain(err) });
  return reply(500, 'server_error', 'Internal server error', { log: 'error', detail: messageChain(err) });
}

/** Log an answer's private side (when it is logged at all) with the request id. */
export function logErrorReply(request: FastifyRequest, err: unknown, answer: ErrorReply): void {
  if (!answer.log) return;
  const fields = {
    reqId: request.id,
    method: request.method,
    path: request.url.split('?')[0],
    status: answer.statusCode,
    error: answer.body.error,
    detail: answer.detail,
  };
  // A stack only for what may be a bug: an expected refusal's trace says nothing.
  request.log[answer.log](
    answer.log === 'error' ? { ...fields, err } : fields,
    answer.statusCode >= 500 ? 'request failed' : 'request refused',
  );
}

function sendError(res: FastifyReply, status: number, error: ErrorCode, description: string) {
  return res
    .code(status)
    .header('cache-control', 'no-store')
    .type('application/json; charset=utf-8')
    .send({ error, error_description: description });
}

/** Install the error contract (describeError) on a fastify instance. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | HttpError, request: FastifyRequest, res: FastifyReply) => {
    const answer = describeError(err);
    logErrorReply(request, err, answer);
    return res
      .code(answer.statusCode)
      .headers(answer.headers)
      .type('application/json; charset=utf-8')
      .send(answer.body);
  });
  app.setNotFoundHandler((request, res) =>
    sendError(res, 404, 'not_found', `No resource at ${request.method} ${request.url.split('?')[0]}`),
  );
}
