import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { HttpError } from '@tessera/shared/http/errors';
import { publishTenantChange } from '@tessera/shared/tenancy/change-channel';
import type { FastifyInstance } from 'fastify';
import type { Redis } from 'ioredis';
import Stripe from 'stripe';
import { applyStripeEvent, type StripeEventDeps } from '../billing/stripe-events.ts';
import { ErrorBody } from './schemas.ts';

const Received = Type.Object({
  received: Type.Boolean(),
  /** true: this event id was handled before; nothing was done again. */
  duplicate: Type.Boolean(),
});

/**
 * `POST /billing/stripe/webhook` (contract §5). No bearer token: the
 * `Stripe-Signature` header, checked against the raw body with the endpoint's
 * secret (STRIPE_WEBHOOK_SECRET), is the authentication. Without a secret
 * every event is refused (503, so Stripe keeps them for later); a signature
 * that does not verify is a 400 and nothing changes. A tenant whose status or
 * plan changed is announced to the data-plane nodes after the commit.
 */
export async function registerStripeWebhookRoute(
  root: FastifyInstance,
  deps: StripeEventDeps & { redis: Redis; redisPrefix: string; webhookSecret: string | undefined },
): Promise<void> {
  // Its own scope: the body must reach the signature check byte for byte, not parsed as JSON.
  await root.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    const app = scope.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/billing/stripe/webhook',
      {
        config: { public: true },
        schema: {
          summary: 'Stripe webhook events (authenticated by the Stripe-Signature header, not a bearer token)',
          security: [],
          response: { 200: Received, 400: ErrorBody, 503: ErrorBody },
        },
      },
      async (request) => {
        if (!deps.webhookSecret)
          throw new HttpError(
            503,
            'temporarily_unavailable',
            'Stripe webhooks are not configured on this control plane (STRIPE_WEBHOOK_SECRET is not set)',
          );
        const raw = request.body;
        const signature = request.headers['stripe-signature'];
        if (!Buffer.isBuffer(raw) || typeof signature !== 'string')
          throw new HttpError(400, 'invalid_signature', 'A Stripe-Signature header and a JSON body are required');
        let event: Stripe.Event;
        try {
          event = Stripe.webhooks.constructEvent(raw, signature, deps.webhookSecret);
        } catch (err) {
          throw new HttpError(400, 'invalid_signature', 'The Stripe-Signature does not verify for this body', {
            cause: err,
          });
        }
        const outcome = await applyStripeEvent(deps, event);
        if (outcome.changed && outcome.tid)
          await publishTenantChange(deps.redis, deps.redisPrefix, { tid: outcome.tid, kind: 'upsert' });
        return { received: true, duplicate: outcome.duplicate };
      },
    );
  });
}
