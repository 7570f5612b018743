import type { Settings } from '@tessera/shared/settings';
import Stripe from 'stripe';

/**
 * The official Stripe SDK, pointed at stripe-mock when `STRIPE_API_BASE` is
 * set (dev and test) and at api.stripe.com otherwise. One per process: its
 * retries (with the idempotency keys we pass) are the SDK's own.
 */
export function createStripe(settings: Settings): Stripe {
  const base = settings.stripe.apiBase ? new URL(settings.stripe.apiBase) : undefined;
  return new Stripe(settings.stripe.secretKey, {
    maxNetworkRetries: 2,
    timeout: 10_000,
    ...(base
      ? {
          host: base.hostname,
          port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
          protocol: base.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}
