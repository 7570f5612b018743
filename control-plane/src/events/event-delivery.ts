import { FetchError, postLimited } from '@tessera/shared/http/fetch-limited';
import { isLoopbackUrl } from '@tessera/shared/http/loopback';
import type { OutboundPolicy } from '@tessera/shared/http/outbound-policy';
import { signatureHeader } from '@tessera/shared/plugins/signature';
import type { Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { type DeliveryJob, deadLetterKey } from './events-queue.ts';

/** Largest answer read from a receiver (it is not used: the cap only bounds the read). */
const ANSWER_MAX_BYTES = 16 * 1024;

export interface DeliveryOptions {
  /** Prefixed commands (the dead-letter index). */
  redis: Redis;
  /** The tenant's webhook signing secrets (current, then the previous one while it overlaps). */
  secrets: { webhookSigningSecrets(tid: string): Promise<readonly string[]> };
  policy: OutboundPolicy;
  /** Plain http to loopback receivers (development and tests, with CLIENT_FETCH_PRIVATE=allow). */
  allowLoopbackHttp: boolean;
  /** The signature's timestamp source (seconds); the wall clock by default. */
  nowSeconds?: () => number;
}

/**
 * The delivery of one event to one destination (docs/events.md): a POST of
 * the envelope as JSON, signed like every webhook call (`Tessera-Signature`,
 * shared/src/plugins/signature.ts) with the tenant's webhook secret, with
 * `Tessera-Event-Id` and `Tessera-Event-Type`; any 2xx is delivered.
 * Anything else throws, and BullMQ retries with exponential backoff; the
 * last attempt's failure also puts the delivery in the tenant's dead-letter
 * index (before BullMQ moves it to the failed set, so no dead letter is
 * missing from the index; one re-driven meanwhile is removed by the API).
 */
export function deliveryProcessor(options: DeliveryOptions) {
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  return async (job: Job<DeliveryJob>): Promise<{ status: number }> => {
    const { event, url, timeoutMs } = job.data;
    try {
      const secrets = await options.secrets.webhookSigningSecrets(event.tid);
      if (secrets.length === 0) throw new Error('the tenant has no webhook secret (rotate one to sign deliveries)');
      const body = JSON.stringify(event);
      let answer: Awaited<ReturnType<typeof postLimited>>;
      try {
        answer = await postLimited(
          url,
          body,
          {
            'content-type': 'application/json',
            'user-agent': 'Tessera-Webhooks/1',
            'tessera-signature': signatureHeader(secrets, body, nowSeconds()),
            'tessera-event-id': event.id,
            'tessera-event-type': event.type,
          },
          {
            timeoutMs,
            maxBytes: ANSWER_MAX_BYTES,
            accept: '*/*',
            policy: options.policy,
            allowHttp: options.allowLoopbackHttp && isLoopbackUrl(url),
          },
        );
      } catch (err) {
        // The public reason (no addresses): it is shown in the dead-letter list.
        throw new Error(err instanceof FetchError ? err.message : 'the connection failed');
      }
      if (answer.status < 200 || answer.status > 299) throw new Error(`answered ${answer.status}`);
      return { status: answer.status };
    } catch (err) {
      if (job.attemptsMade + 1 >= (job.opts.attempts ?? 1))
        await options.redis.zadd(deadLetterKey(event.tid), 0, job.id!);
      throw err;
    }
  };
}
