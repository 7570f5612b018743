import { context, propagation, type Tracer, trace } from '@opentelemetry/api';

/**
 * OpenTelemetry tracing, on only where an OTLP endpoint is configured
 * (`OTEL_EXPORTER_OTLP_ENDPOINT` or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`;
 * `OTEL_SDK_DISABLED=true` turns it off). Off, the SDK is never loaded, no
 * context manager (async hooks) is installed and `activeTracer()` is
 * undefined: code that traces checks it first and costs nothing more.
 */
let tracer: Tracer | undefined;
let stop: (() => Promise<void>) | undefined;
let flush: (() => Promise<void>) | undefined;

/** The tracer of this process, when tracing is on. */
export const activeTracer = (): Tracer | undefined => tracer;

/** Whether the environment asks for traces. */
export function tracingWanted(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED === 'true') return false;
  return Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
}

/**
 * Start tracing for this process when the environment asks for it: OTLP
 * over HTTP (JSON; the exporter reads the endpoint, headers and timeout
 * from the standard variables), W3C Trace Context propagation, batching.
 * `service`: the default `service.name` (`OTEL_SERVICE_NAME` wins).
 * Idempotent; returns whether tracing is on.
 */
export async function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Promise<boolean> {
  if (tracer) return true;
  if (!tracingWanted(env)) return false;
  const [{ TracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, { AsyncLocalStorageContextManager }] =
    await Promise.all([
      import('@opentelemetry/sdk-trace'),
      import('@opentelemetry/exporter-trace-otlp-http'),
      import('@opentelemetry/context-async-hooks'),
    ]);
  const [{ W3CTraceContextPropagator }, { resourceFromAttributes, defaultResource, envDetector, detectResources }] =
    await Promise.all([import('@opentelemetry/core'), import('@opentelemetry/resources')]);
  const { samplerFromEnv } = await import('./trace-sampler.ts');
  const resource = defaultResource()
    .merge(resourceFromAttributes({ 'service.name': service }))
    .merge(detectResources({ detectors: [envDetector] }));
  const provider = new TracerProvider({
    resource,
    sampler: samplerFromEnv(env),
    // Batched: spans leave the request path at once and are sent in the background.
    spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter() })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  tracer = provider.getTracer('tessera');
  flush = () => provider.forceFlush();
  stop = () => provider.shutdown();
  return true;
}

/** Send what is buffered (tests; before exit). */
export async function flushTraces(): Promise<void> {
  await flush?.();
}

/** Flush and stop (process shutdown). */
export async function stopTracing(): Promise<void> {
  await stop?.();
  tracer = undefined;
  stop = flush = undefined;
}
