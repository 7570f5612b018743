import { errors } from '@tessera/shared/http/error-constructors';
import type { LeasedRateLimiter } from '../../limits/leased-limiter.ts';
import { type RateWindow, tokenRateWindow } from '../../limits/token-rate-window.ts';
import type { Policy } from '../policy.ts';
import { isPending } from '../step.ts';

/** The routes the plan's `token_requests_per_second` and `token_requests_burst` apply to (API documents declare their 429). */
export const RATE_LIMITED_ROUTES: ReadonlySet<string> = new Set(['token']);

/** 429 `rate_limited` with Retry-After in whole seconds, at least one (RFC 6585 §4, RFC 9110 §10.2.3). */
function rateLimited(retryMs: number): never {
  const seconds = Math.max(1, Math.ceil(retryMs / 1000));
  throw errors.rateLimited(`Too many token requests for this tenant's plan; retry in ${seconds} s`, {
    headers: { 'retry-after': String(seconds) },
  });
}

const answer = (retryMs: number): undefined => (retryMs > 0 ? rateLimited(retryMs) : undefined);

/**
 * The plan's token-endpoint rate limit, one limit per tenant shared by every
 * node (limits/leased-limiter.ts over rate-limiter-flexible on Redis). Only
 * the token endpoint: the plan has a rate for it alone, and introspection,
 * which resource servers call at their own pace, must not use up the budget
 * of token issuance (it has a monthly cap of its own); the login pages have
 * the password guessing brake. A tenant whose plan has no rate costs nothing.
 */
export function limitTokenRate(limiter: LeasedRateLimiter): Policy {
  /** The window of the last plan seen, by its quotas object (a tenant change brings a new one). */
  const windows = new WeakMap<object, RateWindow | null>();
  return {
    name: 'limitTokenRate',
    before(x) {
      const tenant = x.request.tenant?.tenant;
      if (tenant === undefined || !RATE_LIMITED_ROUTES.has(x.route.name)) return;
      const { quotas } = tenant.limits;
      let window = windows.get(quotas);
      if (window === undefined) windows.set(quotas, (window = tokenRateWindow(quotas) ?? null));
      if (window === null) return;
      const retryMs = limiter.take(tenant.tid, window);
      return isPending(retryMs) ? retryMs.then(answer) : answer(retryMs);
    },
  };
}
