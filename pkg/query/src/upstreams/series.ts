/** A time series as the proxy handles it, whatever upstream it came from. */
export interface Series {
  /** Label set including `__name__` when the upstream gave one. */
  labels: Record<string, string>;
  /** Epoch milliseconds, increasing. A worker thread's parse hands them over as (transferred) Float64Arrays. */
  timestamps: number[] | Float64Array;
  values: number[] | Float64Array;
}

/**
 * The series with their timestamps and values as Float64Arrays, and the buffers to transfer: a worker's answer then
 * reaches the event loop without a structured clone of millions of JS numbers (a 40 MB InfluxDB answer's arrays took
 * ~1 s of deserialisation and GC there).
 */
export function packSeries(series: Series[]): { packed: Series[]; transfer: ArrayBuffer[] } {
  const transfer: ArrayBuffer[] = [];
  const packed = series.map((one) => {
    const timestamps = Float64Array.from(one.timestamps);
    const values = Float64Array.from(one.values);
    transfer.push(timestamps.buffer, values.buffer);
    return { labels: one.labels, timestamps, values };
  });
  return { packed, transfer };
}

/** Canonical text of a label set, `{a="1", b="2"}` sorted by name: identity of a series. */
export function labelsKey(labels: Record<string, string>): string {
  const parts = Object.keys(labels)
    .sort()
    .map((name) => `${name}=${JSON.stringify(labels[name])}`);
  return `{${parts.join(', ')}}`;
}

/**
 * A key whose byte order is Prometheus' order of label sets (its labels.Compare, the order of a range query's
 * series): label by label in name order, by name and then by value, as Go compares strings (by UTF-8 byte, which is
 * by code point: JavaScript's `<` compares UTF-16 code units, and puts "～" U+FF5E after "😀" U+1F600); a set that is
 * the start of another first. Each name and value ends in a NUL byte, below every byte a label holds, so a shorter
 * name or value sorts first as in Go. Compare keys with Buffer.compare; make each once, not per comparison.
 */
export function labelSetSortKey(labels: Record<string, string>): Buffer {
  const names = Object.keys(labels).sort(); // label names are ASCII: UTF-16 order is byte order
  return Buffer.from(names.map((name) => `${name}\u0000${labels[name]}\u0000`).join(''), 'utf8');
}

/** Merges chunks of the same series (fetched range by range) into one, keeping timestamps increasing and unique. */
export function mergeSeriesChunks(chunks: Series[][]): Series[] {
  if (chunks.length === 1 && new Set(chunks[0].map((one) => labelsKey(one.labels))).size === chunks[0].length) {
    return chunks[0]; // one answer, each series once: nothing to merge, and its (transferred) arrays are not copied
  }
  const byKey = new Map<string, { labels: Record<string, string>; timestamps: number[]; values: number[] }>();
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
