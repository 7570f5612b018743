import { REQUEST_ID_HEADER } from '@tessera/shared/observability/request-id';
import type { Policy } from '../policy.ts';

/**
 * Every answer (errors and unmatched paths too) names the request's id
 * (shared/src/observability/request-id.ts): what a caller quotes to the
 * operator, who finds it in the error and access logs and as the trace id.
 */
export const echoRequestId: Policy = {
  name: 'echoRequestId',
  after(x, answer) {
    answer.headers[REQUEST_ID_HEADER] = x.request.id;
  },
};
