import { setsCaching } from '../core-answer.ts';
import type { Policy } from '../policy.ts';

/**
 * Nothing is cached unless its answer says so: tokens, token errors,
 * introspection, client secrets and pages carry credentials or one-time
 * values (RFC 6749 §5.1, RFC 7662 §2.2, RFC 7591 §3.2.1). Only public
 * documents (discovery, JWKS) set a Cache-Control of their own.
 */
export const noStore: Policy = {
  name: 'noStore',
  after(_x, answer) {
    if (setsCaching(answer)) return;
    answer.headers['cache-control'] = 'no-store';
    answer.headers.pragma = 'no-cache';
  },
};
