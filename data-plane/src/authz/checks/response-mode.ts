import { type ResponseMode, SUPPORTED_RESPONSE_MODES } from '../response-mode-names.ts';
import { type Check, refuse, type TrustedRequest } from './authz-check.ts';
import { isImplicit } from './response-type.ts';

/** The response mode a request gets when it names none, or names `jwt` (JARM §2.3.4). */
function defaultMode(responseType: readonly string[], asked: string | undefined): string {
  const implicit = isImplicit(responseType);
  if (asked === undefined) return implicit ? 'fragment' : 'query';
  if (asked === 'jwt') return implicit ? 'fragment.jwt' : 'query.jwt';
  return asked;
}

/**
 * The mode asked for, and the mode errors go back in: the asked one when it
 * is supported, else the default for the response type (code's when the
 * response type itself is unusable).
 */
export function responseModeOf(
  responseType: readonly string[],
  asked: string | undefined,
): { asked: string; mode: ResponseMode } {
  const askedMode = defaultMode(responseType, asked);
  const mode = SUPPORTED_RESPONSE_MODES.includes(askedMode) ? askedMode : defaultMode(responseType, undefined);
  return { asked: askedMode, mode: mode as ResponseMode };
}

export const checkResponseMode: Check<TrustedRequest> = (s) =>
  s.askedMode !== s.responseMode ? refuse('invalid_request', 'Unsupported response_mode') : undefined;

/** Tokens never travel in a query string (OAuth 2.0 Multiple Response Types §5). */
export const checkModeFitsResponseType: Check<TrustedRequest> = (s) =>
  isImplicit(s.responseType) && s.responseMode === 'query'
    ? refuse('invalid_request', 'The query response mode is not allowed with this response type')
    : undefined;
