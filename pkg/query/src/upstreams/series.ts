/** A time series as the proxy handles it, whatever upstream it came from. */
export interface Series {
  /** Label set including `__name__` when the upstream gave one. */
  labels: Record<string, string>;
  /** Epoch milliseconds, increasing. */
  timestamps: number[];
  values: number[];
}

/** Canonical text of a label set, `{a="1", b="2"}` sorted by name: identity of a series. */
export function labelsKey(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

/** Merges chunks of the same series (fetched range by range) into one, keeping timestamps increasing and unique. */
export function mergeSeriesChunks(chunks: Series[][]): Series[] {
  const byKey = new Map<string, Series>();
  for (const chunk of chunks) {
    for (const series of chunk) {
      const key = labelsKey(series.labels);
      const merged = byKey.get(key);
      if (!merged) {
        byKey.set(key, { labels: series.labels, timestamps: [...series.timestamps], values: [...series.values] });
        continue;
      }
      for (let i = 0; i < series.timestamps.length; i++) {
        if (series.timestamps[i] > merged.timestamps[merged.timestamps.length - 1]) {
          merged.timestamps.push(series.timestamps[i]);
          merged.values.push(series.values[i]);
        }
      }
    }
  }
  return [...byKey.values()];
}
