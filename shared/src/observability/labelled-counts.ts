/**
 * Plain counts per label set, keyed by a string the caller builds: counting
 * is a map lookup and an addition (prom-client's Counter hashes the labels on
 * every `inc`). Exported through registerCallbackCounter.
 */
export class LabelledCounts {
  readonly #series = new Map<string, { labels: Record<string, string>; value: number }>();

  add(key: string, labels: () => Record<string, string>, n = 1): void {
    let series = this.#series.get(key);
    if (!series) this.#series.set(key, (series = { labels: labels(), value: 0 }));
    series.value += n;
  }

  values(): Array<{ labels: Record<string, string>; value: number }> {
    return [...this.#series.values()];
  }
}
