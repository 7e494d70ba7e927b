/**
 * Shaping an evaluation's answer as Prometheus would: a matrix (range query) or a vector (instant query: each
 * series' latest scored sample within the lookback), a trailing comparison applied as in PromQL, `__name__` dropped
 * as Prometheus drops it for functions, and the warnings Grafana shows on the panel.
 */
import { overFlaggingWarning } from '@telemetry-analyzer/engine';
import { labelsKey } from '../upstreams/series';
import type { AnomalyFunction, AnomalyQuery } from './anomalyQuery';
import { instantLookbackMs } from './evaluationPlan';
import type { Samples } from './scoredSamples';

export interface PromSample {
  metric: Record<string, string>;
}
/**
 * One series of a range answer: its labels and its samples (ms; the values as the query answers them). Kept as typed
 * arrays to the end, a large answer holds millions: the host writes them out (the proxy as Prometheus' JSON pairs, in
 * pieces: proxy/src/http/queryAnswerJson.ts) without an object per sample.
 */
export type MatrixSeries = PromSample & Samples;
export type MatrixResult = { resultType: 'matrix'; result: MatrixSeries[] };
export type VectorResult = { resultType: 'vector'; result: Array<PromSample & { value: [number, string] }> };
export type EvaluationResult = (MatrixResult | VectorResult) & { warnings: string[] };

/** One output series: its labels and its samples (and those of further functions, when asked for). */
export interface ScoredSeries extends Samples {
  labels: Record<string, string>;
  also?: Partial<Record<AnomalyFunction, Samples>>;
}

/** The range answers of further functions, from the same scored series (query otherwise the same). */
export function alsoMatrices(
  query: AnomalyQuery,
  fns: AnomalyFunction[] | undefined,
  series: ScoredSeries[]
): Partial<Record<AnomalyFunction, EvaluationResult>> | undefined {
  return (
    fns &&
    Object.fromEntries(
      fns.map((fn) => [
        fn,
        toMatrix(
          { ...query, function: fn },
          series.map((s) => ({ labels: s.labels, ...s.also![fn]! })),
          []
        ),
      ])
    )
  );
}

/**
 * The warning (Prometheus' `warnings`) for a unit that flags far more of the answered range than its contamination
 * asks for (the engine's overFlaggingWarning): the model no longer fits the data, or (`online`) the series kept
 * reaching new extremes. Undefined when it does not.
 */
export function overFlaggingNotice(
  unitLabels: Record<string, string>,
  { flagged, rows }: { flagged: number; rows: number },
  contamination: number | 'auto',
  online = false
): string | undefined {
  const warning = overFlaggingWarning(flagged, rows, contamination, online);
  return warning === undefined ? undefined : `${labelsKey(unitLabels)}: ${warning}`;
}

/** Drops `__name__` like Prometheus does for functions, except where that would make two series identical. */
export function withoutMetricNames(series: ScoredSeries[]): ScoredSeries[] {
  const stripped = series.map((s) => {
    const labels = { ...s.labels };
    delete labels.__name__;
    return labels;
  });
  const counts = new Map<string, number>();
  stripped.forEach((labels) => counts.set(labelsKey(labels), (counts.get(labelsKey(labels)) ?? 0) + 1));
  return series.map((s, i) => ({
    labels: counts.get(labelsKey(stripped[i]))! > 1 ? s.labels : stripped[i],
    timestamps: s.timestamps,
    values: s.values,
    also: s.also,
  }));
}

/** The answer of a range query (`series` as withoutMetricNames left them). */
export function toMatrix(query: AnomalyQuery, series: ScoredSeries[], warnings: string[]): EvaluationResult {
  const test = comparisonOf(query);
  const result: MatrixResult['result'] = [];
  for (const s of series) {
    const samples = test ? comparedSamples(query, test, s) : { timestamps: s.timestamps, values: s.values };
    if (samples.timestamps.length > 0) {
      result.push({ metric: s.labels, ...samples });
    }
  }
  return { resultType: 'matrix', result, warnings };
}

/** The samples a trailing comparison keeps, valued as it answers them (compared). */
function comparedSamples(query: AnomalyQuery, test: (v: number) => boolean, samples: Samples): Samples {
  const timestamps = new Float64Array(samples.timestamps.length);
  const values = new Float64Array(samples.values.length);
  let kept = 0;
  for (let i = 0; i < samples.timestamps.length; i++) {
    const v = compared(query, test, samples.values[i]);
    if (v !== undefined) {
      timestamps[kept] = samples.timestamps[i];
      values[kept] = v;
      kept++;
    }
  }
  return { timestamps: timestamps.subarray(0, kept), values: values.subarray(0, kept) };
}

/** An instant query reports each series' latest scored sample (within instantLookbackMs) at the evaluation time. */
export function toVector(
  query: AnomalyQuery,
  series: ScoredSeries[],
  timeMs: number,
  stepMs: number,
  warnings: string[]
): EvaluationResult {
  const test = comparisonOf(query);
  const result: VectorResult['result'] = [];
  const lookbackMs = instantLookbackMs(stepMs, query.inner.language);
  for (const s of series) {
    const last = s.timestamps.length - 1;
    if (last < 0 || s.timestamps[last] <= timeMs - lookbackMs) {
      continue;
    }
    const v = compared(query, test, s.values[last]);
    if (v !== undefined) {
      result.push({ metric: s.labels, value: [timeMs / 1000, formatSampleValue(v)] });
    }
  }
  return { resultType: 'vector', result, warnings };
}

/** A trailing comparison filters samples (or, with `bool`, maps them to 0/1), as in PromQL; none keeps all. */
function comparisonOf(query: AnomalyQuery): ((v: number) => boolean) | undefined {
  const comparison = query.comparison;
  if (!comparison) {
    return undefined;
  }
  const { value } = comparison;
  switch (comparison.operator) {
    case '>':
      return (v) => v > value;
    case '>=':
      return (v) => v >= value;
    case '<':
      return (v) => v < value;
    case '<=':
      return (v) => v <= value;
    case '==':
      return (v) => v === value;
    case '!=':
      return (v) => v !== value;
  }
}

/** The sample as the query answers it: undefined when a filtering comparison drops it. */
function compared(query: AnomalyQuery, test: ((v: number) => boolean) | undefined, v: number): number | undefined {
  if (!test) {
    return v;
  }
  if (query.comparison!.bool) {
    return test(v) ? 1 : 0;
  }
  return test(v) ? v : undefined;
}

/** A sample value as Prometheus answers and OpenMetrics writes it: `NaN`, `+Inf`, `-Inf`, or the number. */
export function formatSampleValue(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  return String(value);
}
