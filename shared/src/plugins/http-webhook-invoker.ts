import { EventEmitter } from 'node:events';
import { LRUCache } from 'lru-cache';
import CircuitBreaker from 'opossum';
import { FetchError, postLimited } from '../http/fetch-limited.ts';
import { isLoopbackUrl } from '../http/loopback.ts';
import type { OutboundPolicy } from '../http/outbound-policy.ts';
import { type Clock, epochSeconds, systemClock } from '../time/clock.ts';
import { signatureHeader } from './signature.ts';
import type { WebhookCall, WebhookFailure, WebhookInvoker, WebhookResult } from './webhook-invoker.ts';

/** Where the invoker reads what to sign with: the current webhook secret, then the previous one while it overlaps. */
export interface WebhookSigningSecrets {
  webhookSigningSecrets(tid: string): Promise<readonly string[]>;
}

/**
 * The circuit breaker of each (tenant, slot), in opossum's terms. Defaults:
 * it opens when the last `rollingWindowMs` (60 s) saw at least
 * `volumeThreshold` (5) calls of which more than `errorThresholdPercentage`
 * (50 %) failed — so 5 failures in a row open it; after `resetTimeoutMs`
 * (30 s) one trial call goes through (half-open): success closes it, failure
 * opens it for another 30 s. At most `maxCircuits` circuits are kept (least
 * recently used dropped first), so tenants cannot grow memory without bound.
 */
export interface CircuitOptions {
  volumeThreshold: number;
  errorThresholdPercentage: number;
  rollingWindowMs: number;
  resetTimeoutMs: number;
  maxCircuits: number;
}

export const DEFAULT_CIRCUIT: CircuitOptions = {
  volumeThreshold: 5,
  errorThresholdPercentage: 50,
  rollingWindowMs: 60_000,
  resetTimeoutMs: 30_000,
  maxCircuits: 10_000,
};

/** The rolling window's buckets: failures age out in steps of a tenth of it. */
const BUCKETS = 10;

/** A retry is made only if at least this much of the call's budget is left, milliseconds. */
export const MIN_RETRY_BUDGET_MS = 50;

/** Largest answer read from a webhook, bytes. */
export const WEBHOOK_ANSWER_MAX_BYTES = 256 * 1024;

export interface HttpWebhookInvokerOptions {
  /** Where calls may connect (the deployment's OutboundPolicy). */
  policy: OutboundPolicy;
  secrets: WebhookSigningSecrets;
  /**
   * Plain http to a loopback host (development and tests): only where the
   * deployment allows private addresses (CLIENT_FETCH_PRIVATE=allow).
   */
  allowLoopbackHttp?: boolean;
  circuit?: Partial<CircuitOptions>;
  /** The signature's timestamp. */
  clock?: Clock;
  maxAnswerBytes?: number;
}

/** An attempt's failure, thrown inside the breaker so opossum counts it. */
class CallFailed extends Error {
  constructor(readonly result: WebhookResult & { ok: false }) {
    super(result.detail);
  }
}

const failed = (failure: WebhookFailure, detail: string, status?: number): WebhookResult & { ok: false } =>
  status === undefined ? { ok: false, failure, detail } : { ok: false, failure, status, detail };

/** Failures another attempt may fix: the network and the receiver's own trouble, not its considered answer. */
const retryable = (result: WebhookResult & { ok: false }) =>
  result.failure === 'network' ||
  result.failure === 'timeout' ||
  (result.failure === 'status' && (result.status! >= 500 || result.status === 429));

/**
 * The real WebhookInvoker (the contract is in webhook-invoker.ts): a POST of
 * `{slot, tenant, ...payload}` as JSON through the SSRF-guarded fetcher
 * (postLimited), signed with the tenant's webhook secret (`Tessera-Signature`,
 * signature.ts) and naming slot and tenant in `Tessera-Slot` and
 * `Tessera-Tenant`. The call's `timeoutMs` is the budget of the whole
 * invocation: an idempotent call that fails fast (network, 5xx, 429) is
 * tried once more with what is left; others never. Every invocation counts
 * once in the circuit of its (tenant, slot). docs/plugins/webhooks.md.
 */
export class HttpWebhookInvoker implements WebhookInvoker {
  readonly #options: HttpWebhookInvokerOptions;
  readonly #circuit: CircuitOptions;
  readonly #clock: Clock;
  readonly #maxBytes: number;
  readonly #circuits: LRUCache<string, CircuitBreaker<[() => Promise<WebhookResult>], WebhookResult>>;
  /** One timer ages every circuit's window (opossum would start one per breaker). */
  readonly #rotate = new EventEmitter().setMaxListeners(0);
  readonly #rotateTimer: NodeJS.Timeout;

  constructor(options: HttpWebhookInvokerOptions) {
    this.#options = options;
    this.#circuit = { ...DEFAULT_CIRCUIT, ...options.circuit };
    this.#clock = options.clock ?? systemClock;
    this.#maxBytes = options.maxAnswerBytes ?? WEBHOOK_ANSWER_MAX_BYTES;
    this.#circuits = new LRUCache({ max: this.#circuit.maxCircuits, dispose: (breaker) => breaker.shutdown() });
    this.#rotateTimer = setInterval(() => this.#rotate.emit('rotate'), this.#circuit.rollingWindowMs / BUCKETS);
    this.#rotateTimer.unref();
  }

  async invoke(call: WebhookCall): Promise<WebhookResult> {
    let secrets: readonly string[];
    try {
      secrets = await this.#options.secrets.webhookSigningSecrets(call.tid);
    } catch (err) {
      return failed('network', `webhook secret not read: ${(err as Error).message}`);
    }
    if (secrets.length === 0) return failed('no_secret', 'the tenant has no webhook secret');
    // slot and tenant first, and never overridden by a payload member of the same name.
    const body = JSON.stringify(
      Object.assign({ slot: call.slot, tenant: call.tid }, call.payload, {
        slot: call.slot,
        tenant: call.tid,
      }),
    );
    try {
      return await this.#breaker(call).fire(() => this.#withRetry(call, body, secrets));
    } catch (err) {
      if (err instanceof CallFailed) return err.result;
      const code = (err as { code?: unknown }).code;
      if (code === 'EOPENBREAKER') return failed('circuit_open', `circuit of ${call.slot} open`);
      return failed('network', `webhook call failed: ${(err as Error).message}`);
    }
  }

  /** Stop the circuits' timer and drop them (a closing node). */
  close(): void {
    clearInterval(this.#rotateTimer);
    this.#circuits.clear();
  }

  #breaker(call: WebhookCall) {
    const key = `${call.tid}\u0000${call.slot}`;
    let breaker = this.#circuits.get(key);
    if (!breaker) {
      breaker = new CircuitBreaker((attempt: () => Promise<WebhookResult>) => attempt(), {
        name: `${call.tid}:${call.slot}`,
        timeout: false, // each attempt has its own deadline (postLimited)
        volumeThreshold: this.#circuit.volumeThreshold,
        errorThresholdPercentage: this.#circuit.errorThresholdPercentage,
        resetTimeout: this.#circuit.resetTimeoutMs,
        rollingCountTimeout: this.#circuit.rollingWindowMs,
        rollingCountBuckets: BUCKETS,
        rotateBucketController: this.#rotate,
        enableSnapshots: false,
      });
      this.#circuits.set(key, breaker);
    }
    return breaker;
  }

  /** The first attempt, and one more for an idempotent call whose failure another may fix, within the budget. */
  async #withRetry(call: WebhookCall, body: string, secrets: readonly string[]): Promise<WebhookResult> {
    const deadline = Date.now() + call.timeoutMs;
    let result = await this.#attempt(call, body, secrets, call.timeoutMs);
    const left = deadline - Date.now();
    if (!result.ok && call.idempotent && retryable(result) && left >= MIN_RETRY_BUDGET_MS)
      result = await this.#attempt(call, body, secrets, left);
    if (!result.ok) throw new CallFailed(result);
    return result;
  }

  async #attempt(
    call: WebhookCall,
    body: string,
    secrets: readonly string[],
    timeoutMs: number,
  ): Promise<WebhookResult> {
    // Not a URL: postLimited says so.
    const allowHttp = this.#options.allowLoopbackHttp === true && isLoopbackUrl(call.url);
    let answer: Awaited<ReturnType<typeof postLimited>>;
    try {
      answer = await postLimited(
        call.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'Tessera-Webhooks/1',
          'tessera-signature': signatureHeader(secrets, body, epochSeconds(this.#clock)),
          'tessera-slot': call.slot,
          'tessera-tenant': call.tid,
        },
        { timeoutMs, maxBytes: this.#maxBytes, accept: 'application/json', policy: this.#options.policy, allowHttp },
      );
    } catch (err) {
      const message = (err as Error).message;
      // The cause's code for the log (ECONNREFUSED, a TLS code); its message would repeat ours.
      const code = (err as { cause?: { code?: unknown } }).cause?.code;
      const detail = typeof code === 'string' ? `${message} (${code})` : message;
      if (err instanceof FetchError && message === 'timed out')
        return failed('timeout', `no answer in ${timeoutMs} ms`);
      return failed('network', detail);
    }
    if (answer.status < 200 || answer.status > 299) return failed('status', `answered ${answer.status}`, answer.status);
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer.body);
    } catch {
      return failed('invalid_answer', `answered ${answer.status} with a body that is not JSON`, answer.status);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      return failed('invalid_answer', `answered ${answer.status} with JSON that is not an object`, answer.status);
    return { ok: true, status: answer.status, body: parsed as Record<string, unknown> };
  }
}
