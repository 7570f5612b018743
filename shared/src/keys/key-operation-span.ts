import { SpanStatusCode } from '@opentelemetry/api';
import { activeTracer } from '../observability/tracing.ts';
import type { KeyBackendName } from './key-store.ts';

/**
 * A private-key operation (`sign`, `decrypt`) as a span of the current trace,
 * named `key.<operation>` with the backend (`tessera.key_backend`: software
 * or pkcs11), tenant and algorithm, when tracing is on; otherwise just the
 * operation (one check, no closure of ours is kept).
 */
export function keyOperation<T>(
  operation: 'sign' | 'decrypt',
  facts: { backend: KeyBackendName; tid: string; alg: string },
  run: () => Promise<T>,
): Promise<T> {
  const tracer = activeTracer();
  if (tracer === undefined) return run();
  return tracer.startActiveSpan(
    `key.${operation}`,
    {
      attributes: {
        'tessera.key_backend': facts.backend,
        'tessera.tenant_id': facts.tid,
        'tessera.key_alg': facts.alg,
      },
    },
    async (span) => {
      try {
        return await run();
      } catch (err) {
        span.recordException(err as Error);
        span.setStatus({ code: SpanStatusCode.ERROR });
        throw err;
      } finally {
        span.end();
      }
    },
  );
}
