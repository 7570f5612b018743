import { ERROR_CODES, type ErrorCode } from './error-codes.ts';
import { HttpError, type HttpErrorOptions } from './errors.ts';

/** `invalid_request_uri` → `invalidRequestUri`. */
type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

export interface ErrorConstructorOptions extends HttpErrorOptions {
  /** Another status than the code's usual one (error-codes.ts). */
  status?: number;
}

/** Make the error for one code: `description` is sent, `options.detail` only logged. */
export type ErrorConstructor = (description: string, options?: ErrorConstructorOptions) => HttpError;

export type ErrorConstructors = { readonly [C in ErrorCode as CamelCase<C>]: ErrorConstructor };

const camelCase = (code: string) => code.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());

const constructorFor =
  (code: ErrorCode): ErrorConstructor =>
  (description, options = {}) => {
    const { status, ...rest } = options;
    return new HttpError(status ?? ERROR_CODES[code].status, code, description, rest);
  };

/**
 * One constructor per code of error-codes.ts, with the code's usual status:
 * `errors.invalidRequest('Missing client_id')`,
 * `errors.temporarilyUnavailable('The key store is unavailable', { detail: err.message, headers: { 'retry-after': '5' } })`.
 * Derived from the table, so a new code has its constructor at once.
 */
export const errors = Object.freeze(
  Object.fromEntries((Object.keys(ERROR_CODES) as ErrorCode[]).map((code) => [camelCase(code), constructorFor(code)])),
) as ErrorConstructors;
