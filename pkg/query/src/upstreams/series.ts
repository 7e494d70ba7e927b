/** A time series as the proxy handles it, whatever upstream it came from. */
export interface Series {
  /** Label set including `__name__` when the upstream gave one. */
  labels: Record<string, string>;
  /** Epoch milliseconds, increasing. A worker thread's parse hands them over as Float64Arrays. */
  timestamps: number[] | Float64Array;
  values: number[] | Float64Array;
}

/**
 * The series with their timestamps and values as Float64Arrays over SharedArrayBuffers, for a worker's answer: the
 * event loop then receives them without a structured clone of millions of JS numbers (a 40 MB InfluxDB answer's
 * arrays took ~1 s of deserialisation and GC there) and without a copy of their bytes (~30 MB held it up to ~130 ms).
 * Shared, not transferred: a transfer would detach them in the worker, which then trains and scores with slower
 * typed-array code (docs/performance.md, "Threads that never detach"). The worker keeps no reference to them.
 */
export function packSeries(series: Series[]): Series[] {
  return series.map((one) => ({
    labels: one.labels,
    timestamps: sharedFloat64(one.timestamps),
    values: sharedFloat64(one.values),
  }));
}

function sharedFloat64(numbers: ArrayLike<number>): Float64Array {
  const array = new Float64Array(new SharedArrayBuffer(numbers.length * Float64Array.BYTES_PER_ELEMENT));
  array.set(numbers);
  return array;
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

/**
 * Merges chunks of the same series (fetched range by range, in order) into one, keeping timestamps increasing and
 * unique: of each chunk, the samples after the merged series' last. Copied block by block into typed arrays (a
 * million samples merged one by one into JS arrays held the event loop ~170 ms).
 */
export function mergeSeriesChunks(chunks: Series[][]): Series[] {
  if (chunks.length === 1 && new Set(chunks[0].map((one) => labelsKey(one.labels))).size === chunks[0].length) {
    return chunks[0]; // one answer, each series once: nothing to merge, and its arrays are not copied again
  }
  type Part = { series: Series; from: number };
  const byKey = new Map<string, { labels: Record<string, string>; parts: Part[]; length: number; lastMs: number }>();
  for (const chunk of chunks) {
    for (const series of chunk) {
      const key = labelsKey(series.labels);
      let merged = byKey.get(key);
      if (!merged) {
        merged = { labels: series.labels, parts: [], length: 0, lastMs: -Infinity };
        byKey.set(key, merged);
      }
      const from = firstAfter(series.timestamps, merged.lastMs);
      if (from < series.timestamps.length) {
        merged.parts.push({ series, from });
        merged.length += series.timestamps.length - from;
        merged.lastMs = series.timestamps[series.timestamps.length - 1];
      }
    }
  }
  return [...byKey.values()].map(({ labels, parts, length }) => {
    const timestamps = new Float64Array(length);
    const values = new Float64Array(length);
    let at = 0;
    for (const { series, from } of parts) {
      timestamps.set(tail(series.timestamps, from), at);
      values.set(tail(series.values, from), at);
      at += series.timestamps.length - from;
    }
    return { labels, timestamps, values };
  });
}

function tail(numbers: number[] | Float64Array, from: number): ArrayLike<number> {
  return numbers instanceof Float64Array ? numbers.subarray(from) : numbers.slice(from);
}

/** The index of the first timestamp after `ms` (increasing timestamps): binary search. */
function firstAfter(timestamps: ArrayLike<number>, ms: number): number {
  let low = 0;
  let high = timestamps.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (timestamps[middle] > ms) {
      high = middle;
    } else {
      low = middle + 1;
    }
  }
  return low;
}
