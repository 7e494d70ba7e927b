/**
 * A backfill into a remote-write target reads back what the target holds and sends again what it lacks. A 2xx from
 * the target is not enough: Prometheus 2.42 with an out-of-order window acknowledged (and counted as appended)
 * out-of-order samples it then lost when a head compaction ran while they arrived (docs/scale.md, "Backfill
 * read-back"). So, for each scored chunk, the backfill compares the samples per written series the target holds
 * with those it sent, re-scores the chunks that fall short (deterministic: the same values) and sends only the
 * missing timestamps, until the target holds every sample or the rounds run out (then the backfill fails).
 */
import { labelsKey, type UpstreamHttp } from '@telemetry-analyzer/query';
import type { SinkSeries } from './sampleSink';
import type { ScoringChunk } from './schedule';
import { instantQuery } from './resume';
import { seriesKey } from './writtenSeries';

/** What one chunk of a backfill sent: samples per written series (labelsKey of its labels, `__name__` included). */
export interface SentChunk {
  chunk: ScoringChunk;
  samples: Map<string, number>;
}

/** Counts, per written series, the samples of `series` (what a chunk sends). */
export function sentChunk(chunk: ScoringChunk, series: SinkSeries[]): SentChunk {
  const samples = new Map<string, number>();
  for (const one of series) {
    const key = seriesKey(one.labels);
    samples.set(key, (samples.get(key) ?? 0) + one.timestamps.length);
  }
  return { chunk, samples };
}

/**
 * Selectors of a job's written series: one per written metric, with the job label and the external labels. The range
 * `[chunk.startMs, chunk.endMs]` read at `chunk.endMs` is `[span + step/2]`, which takes the first point whether the
 * TSDB's range is closed (Prometheus 2) or open (VictoriaMetrics, Prometheus 3) on the left.
 */
function rangeSelector(metric: string, matchers: string[], chunk: ScoringChunk, stepMs: number): string {
  const seconds = (chunk.endMs - chunk.startMs + stepMs / 2) / 1000;
  return `{${[`__name__=${JSON.stringify(metric)}`, ...matchers].join(',')}}[${seconds}s]`;
}

/** The written series of `sent` the target holds fewer samples of than were sent, and how many samples are missing. */
export async function shortSeries(
  readBack: UpstreamHttp,
  metrics: string[],
  matchers: string[],
  stepMs: number,
  sent: SentChunk
): Promise<{ keys: Set<string>; missing: number }> {
  const held = new Map<string, number>();
  for (const metric of metrics) {
    const query = `count_over_time(${rangeSelector(metric, matchers, sent.chunk, stepMs)})`;
    for (const series of await instantQuery(readBack, query, sent.chunk.endMs)) {
      held.set(labelsKey({ ...series.metric, __name__: metric }), Number(series.value?.[1] ?? 0));
    }
  }
  const keys = new Set<string>();
  let missing = 0;
  for (const [key, count] of sent.samples) {
    const short = count - (held.get(key) ?? 0);
    if (short > 0) {
      keys.add(key);
      missing += short;
    }
  }
  return { keys, missing };
}

/** The timestamps (ms) the target holds of each written series of `keys` over the chunk. */
export async function heldTimestamps(
  readBack: UpstreamHttp,
  metrics: string[],
  matchers: string[],
  stepMs: number,
  chunk: ScoringChunk,
  keys: Set<string>
): Promise<Map<string, Set<number>>> {
  const held = new Map<string, Set<number>>();
  for (const metric of metrics) {
    for (const series of await instantQuery(readBack, rangeSelector(metric, matchers, chunk, stepMs), chunk.endMs)) {
      const key = labelsKey({ ...series.metric, __name__: metric });
      if (keys.has(key)) {
        held.set(key, new Set((series.values ?? []).map(([t]) => Math.round(t * 1000))));
      }
    }
  }
  return held;
}

/** The samples of `series` (a re-scored chunk) the target lacks: only series of `keys`, only timestamps not held. */
export function missingSamples(series: SinkSeries[], keys: Set<string>, held: Map<string, Set<number>>): SinkSeries[] {
  const out: SinkSeries[] = [];
  for (const one of series) {
    const key = seriesKey(one.labels);
    if (!keys.has(key)) {
      continue;
    }
    const have = held.get(key) ?? new Set<number>();
    const keep = one.timestamps.map((t, i) => (have.has(t) ? -1 : i)).filter((i) => i >= 0);
    if (keep.length > 0) {
      out.push({
        labels: one.labels,
        timestamps: keep.map((i) => one.timestamps[i]),
        values: keep.map((i) => one.values[i]),
      });
    }
  }
  return out;
}
