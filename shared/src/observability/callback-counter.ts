import type { Registry } from 'prom-client';

/**
 * A Prometheus counter whose values are read when scraped: the code that
 * counts keeps plain numbers (a cache hit is one addition, no label hashing)
 * and this reads them. `read` returns one value per label set.
 */
export function registerCallbackCounter(
  registry: Registry,
  options: { name: string; help: string; read: () => ReadonlyArray<{ labels: Record<string, string>; value: number }> },
): void {
  registry.registerMetric({
    name: options.name,
    help: options.help,
    type: 'counter',
    aggregator: 'sum',
    get: async () => ({
      name: options.name,
      help: options.help,
      type: 'counter',
      aggregator: 'sum',
      values: options.read().map((v) => ({ labels: v.labels, value: v.value })),
    }),
    reset() {},
  } as never);
}
