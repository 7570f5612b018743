import { step } from '../../core/step.ts';
import { formParams, oauthError } from '../../oauth/oauth-error.ts';

export interface FormState {
  /** The form parameters, one string each (a repeated one was refused). */
  params?: Record<string, string>;
}

/**
 * The back channel's parameters (RFC 6749 §3.2): an
 * `application/x-www-form-urlencoded` body, no parameter repeated, empty
 * values dropped.
 */
export const formBody = step<FormState>('formBody', (x) => {
  const type = x.request.headers['content-type'] ?? '';
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    throw oauthError('invalid_request', 'The request must be application/x-www-form-urlencoded');
  }
  x.state.params = formParams(x.request.body);
});
