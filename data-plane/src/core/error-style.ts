import type { ErrorReply } from '@tessera/shared/http/errors';
import { type CoreAnswer, jsonAnswer } from './core-answer.ts';
import type { CoreRequest } from './core-request.ts';

/**
 * How a route renders a refusal. The pipeline turns whatever was thrown into
 * an ErrorReply (shared/src/http/errors.ts: status, headers, the
 * `{error, error_description}` body, whether to log it) in one place; the
 * route's style decides the shape: JSON for the OAuth endpoints and the APIs,
 * an HTML page for the hosted login UI (login/page-errors.ts).
 */
export interface ErrorStyle {
  readonly name: string;
  render(request: CoreRequest, error: ErrorReply): CoreAnswer;
}

/**
 * RFC 6749 §5.2 error objects and the APIs' `{error, error_description}`:
 * the same JSON (the OAuth endpoints' headers — no-store, challenges — come
 * with their errors, oauth/oauth-error.ts).
 */
export const jsonErrors: ErrorStyle = {
  name: 'json',
  render: (_request, error) => jsonAnswer(error.body, error.statusCode, { ...error.headers }),
};
