/**
 * Planning an evaluation before anything is fetched: which upstream, the query's settings with every default filled
 * in, the range the answer holds, the range a model trains on, and the refusals when any of them costs too much.
 */
import {
  batchTrainingEnd,
  minimumRefitHistory,
  type DetectionMode,
  type DetectorOptions,
} from '@telemetry-analyzer/engine';
import type { EngineDefaults, Limits } from '../config';
import { QueryParseError, badDataAt } from '../errors';
import { describeMs } from '../time';
import type { UpstreamHttp } from '../upstreams/upstreamHttp';
import type { AnomalyQuery } from './anomalyQuery';
import { checkTimeRange } from './costLimits';

export type EvaluationRange =
  { kind: 'range'; startMs: number; endMs: number; stepMs: number } | { kind: 'instant'; timeMs: number };

/** Options with every default filled in: what a model depends on (the engine defaults, as overridden by the query). */
export interface ResolvedSettings extends Pick<
  EngineDefaults,
  'contamination' | 'trees' | 'window' | 'lags' | 'seasonality' | 'seed'
> {
  stepMs: number;
  mode: DetectionMode;
  by: string[];
  /** Relative training window, or a fixed range. */
  training: { windowMs: number } | { startMs: number; endMs: number };
}

/** How far back an instant query looks for the latest scored sample (Prometheus' default lookback delta). */
export const INSTANT_LOOKBACK_MS = 5 * 60_000;

/**
 * The last point an instant query at `timeMs` scores: on the step grid counted from the epoch, as Grafana rounds a
 * range query's start and end down to a multiple of the step (AlignTimeRange, grafana/grafana
 * pkg/promlib/models/query.go; with a UTC offset of 0). At most one step before `timeMs`.
 */
export function instantGridEnd(timeMs: number, stepMs: number): number {
  return Math.floor(timeMs / stepMs) * stepMs;
}

/**
 * How far back an instant answer takes a series' latest scored point. A PromQL query's points are its range query's
 * steps, each already Prometheus' latest sample within its lookback: only the grid's last point counts (a step), so
 * a series Prometheus no longer answers for is gone from the answer too (looking back again kept it ~5 minutes
 * longer: a review's target, gone at L, was still answered at L + 570 s, where Prometheus stops at L + 300 s).
 * InfluxQL answers with the samples themselves: Prometheus' lookback, applied once here, or a step when longer.
 */
export function instantLookbackMs(stepMs: number, language: 'promql' | 'influxql'): number {
  return language === 'promql' ? stepMs : Math.max(INSTANT_LOOKBACK_MS, stepMs);
}

export function resolveSettings(
  defaults: EngineDefaults,
  query: AnomalyQuery,
  range: EvaluationRange
): ResolvedSettings {
  const o = query.options;
  const stepMs = o.step ?? (range.kind === 'range' ? range.stepMs : defaults.instantStepMs);
  return {
    contamination: o.contamination ?? defaults.contamination,
    trees: o.trees ?? defaults.trees,
    window: o.window ?? defaults.window,
    lags: o.lags ?? defaults.lags,
    seasonality: o.seasonality ?? defaults.seasonality,
    seed: o.seed ?? defaults.seed,
    stepMs,
    mode: o.mode ?? 'per-series',
    by: o.by ?? [],
    training:
      o.trainStart !== undefined
        ? { startMs: o.trainStart, endMs: o.trainEnd! }
        : { windowMs: o.train ?? defaults.trainingWindowMs },
  };
}

/**
 * Where a refusal of a query's plan points: at the option written in the query that it is about (its value's
 * position), else it names what set the value: the request's `step` parameter or engine.instantStep for the step.
 */
export interface PlanOrigins {
  positions: AnomalyQuery['optionPositions'];
  /** What set the step: the step= option, the request's `step` parameter (range), or engine.instantStep (instant). */
  step: 'option' | 'parameter' | 'instantStep';
}

export function planOrigins(query: AnomalyQuery, range: EvaluationRange): PlanOrigins {
  const step = query.options.step !== undefined ? 'option' : range.kind === 'range' ? 'parameter' : 'instantStep';
  return { positions: query.optionPositions, step };
}

/** The position of the first of `options` written in the query; none written: undefined. */
export function firstWritten(
  origins: PlanOrigins | undefined,
  ...options: Array<keyof AnomalyQuery['optionPositions']>
): number | undefined {
  return options.map((option) => origins?.positions[option]).find((position) => position !== undefined);
}

/** The step as a message names it: with what set it when no step= option did. */
function stepOf(stepMs: number, origins: PlanOrigins | undefined): string {
  const source = { option: '', parameter: ' (the "step" parameter)', instantStep: ' (engine.instantStep)' };
  return `${describeMs(stepMs)}${origins ? source[origins.step] : ''}`;
}

/** The range whose samples the answer holds, refused when it has more points per series than the limit. */
export function scoredRange(
  limits: Limits,
  range: EvaluationRange,
  stepMs: number,
  /** Where the options stand and what set the step: a refusal then points at the step= option, or names the source. */
  origins?: PlanOrigins
): { scoreStart: number; scoreEnd: number } {
  // An instant query scores the lookback up to the last point of the step grid counted from the epoch, the grid
  // Grafana aligns a dashboard's range queries to: an alert then scores the rows, samples and warm-up a panel's
  // range scores, whatever second the rule is evaluated at and the samples were scraped at (a review: scraped at
  // :07 and evaluated at :30, no score equalled the panel's on the grid through the evaluation time).
  const scoreEnd = range.kind === 'range' ? range.endMs : instantGridEnd(range.timeMs, stepMs);
  const scoreStart =
    range.kind === 'range' ? range.startMs : scoreEnd - Math.floor(INSTANT_LOOKBACK_MS / stepMs) * stepMs;
  const points = Math.floor((scoreEnd - scoreStart) / stepMs) + 1;
  if (points > limits.maxPointsPerSeries) {
    // An instant query scores its lookback at the step= option's step: held to the same limit as a range query
    // (a review's step="1ms" scored 300 001 points per series, 27 times what a range query may).
    // At the step= option when it set the step (a review: step="1ms" named no position, unlike trees=1001).
    throw badDataAt(
      firstWritten(origins, 'step'),
      range.kind === 'range' && origins?.step === 'option'
        ? // The step= option's step, not the request's: a panel's step= that fits a day does not fit a week, whatever
          // resolution Grafana asks for (a review: Prometheus' own message sent users to the request's step).
          `the step= option (${describeMs(stepMs)}) gives ${points} points per timeseries over this range, more than ${limits.maxPointsPerSeries} (limits.maxPointsPerSeries): use a larger step= or a shorter range`
        : range.kind === 'range'
          ? // Prometheus' own words, which name the parameter.
            `exceeded maximum resolution of ${limits.maxPointsPerSeries} points per timeseries. Try decreasing the query resolution (?step=XX)`
          : `an instant query scores the last ${INSTANT_LOOKBACK_MS / 60_000} minutes at step ${stepOf(stepMs, origins)}: ${points} points per timeseries, more than ${limits.maxPointsPerSeries} (limits.maxPointsPerSeries). Use a larger step=`
    );
  }
  return { scoreStart, scoreEnd };
}

/**
 * The range a model of this query is trained on, refused before any fetch when it costs too much. A relative window
 * (train="1d") ends at the start of the retrain interval that holds the step before the fetched data (the engine's
 * batchTrainingEnd, which the panel mirrors): so the model
 * of a query depends on its own range alone, not on which query happened to train it first (a review's attack: one
 * query over last week made every alert of the next hour score with last week's model), and all the queries whose
 * data starts within one interval share it. The next interval's queries get the next model.
 * A window never ends after the interval that holds `nowMs`: a query over the future would otherwise train a later
 * interval's model before its data exists, and the queries of that interval would find it (a re-attack's way of
 * choosing another client's model again).
 * @param retrainIntervalMs engine.retrainInterval; 0 or less: the window ends right at that step (or now)
 */
export function trainingRange(
  limits: Limits,
  settings: ResolvedSettings,
  scoreStartMs: number,
  retrainIntervalMs: number,
  nowMs: number,
  origins?: PlanOrigins
): { startMs: number; endMs: number } {
  const step = settings.stepMs;
  const training = settings.training;
  if (!('windowMs' in training)) {
    checkTrainingRange(limits, settings, training.startMs, training.endMs, origins);
    return { startMs: training.startMs, endMs: training.endMs };
  }
  const endMs = batchTrainingEnd(scoreStartMs, step, settings, retrainIntervalMs, nowMs);
  const startMs = endMs - training.windowMs;
  checkTrainingRange(limits, settings, startMs, endMs, origins);
  return { startMs, endMs };
}

/**
 * Refuses a training range of more points per series than limits.maxTrainingPointsPerSeries, or of fewer than these
 * settings train on (fewestTrainingPoints): such a query could never have a model, and answered 200 with no series
 * and a warning at every evaluation, which an alert rule shows as "No data" (an attack review: train="1ms",
 * window=1440 with train="1h", step="1d").
 */
export function checkTrainingRange(
  limits: Limits,
  settings: ResolvedSettings,
  startMs: number,
  endMs: number,
  /** A refusal points at the option that sets the range's length (train=, train_start=), else at step=. */
  origins?: PlanOrigins
): void {
  const length = firstWritten(origins, 'train', 'trainStart', 'step');
  checkTimeRange(startMs, endMs, 'the training range', length);
  const stepMs = settings.stepMs;
  const points = Math.floor((endMs - startMs) / stepMs) + 1;
  const fewest = fewestTrainingPoints(settings);
  const range = `training range ${describeMs(endMs - startMs)} at step ${stepOf(stepMs, origins)} is ${points} points per series`;
  if (points < fewest) {
    // Too short a range for these options: at the range's length, else the step, the window or the lags that ask more.
    throw badDataAt(
      firstWritten(origins, 'train', 'trainStart', 'step', 'window', 'lags'),
      `${range}; ` +
        `these options train on at least ${fewest} (the features' warm-up of window= and lags=, and the engine's ` +
        'fewest rows): lengthen train=, or lower step=, window= or lags='
    );
  }
  if (points > limits.maxTrainingPointsPerSeries) {
    throw badDataAt(
      length,
      `${range}; at most ${limits.maxTrainingPointsPerSeries} (limits.maxTrainingPointsPerSeries): shorten train= or raise step=`
    );
  }
}

/**
 * The fewest points per series a training range must hold for these settings to train: the features' warm-up (the
 * longest of window and lags) and the engine's minimum of usable rows after it.
 */
export function fewestTrainingPoints(settings: ResolvedSettings): number {
  return minimumRefitHistory(detectorOptionsOf(settings));
}

/** The engine's options for a query's settings: one multivariate model per unit (a unit is one series per-series). */
export function detectorOptionsOf(settings: ResolvedSettings): DetectorOptions {
  return {
    features: { window: settings.window, lags: settings.lags, seasonality: settings.seasonality },
    forest: { nEstimators: settings.trees, contamination: settings.contamination, seed: settings.seed },
    mode: 'multivariate',
  };
}

/**
 * What every model key of this query shares (modelKey adds a unit's labels): the training range is part of it, so
 * a query never scores with a model trained on another range than its own (trainingRange).
 */
export function modelKeyBase(
  upstream: UpstreamHttp,
  query: AnomalyQuery,
  settings: ResolvedSettings,
  training: { startMs: number; endMs: number }
) {
  const inner = query.inner;
  return {
    upstream: upstream.name,
    language: inner.language,
    expression: inner.language === 'promql' ? inner.expression : inner.statement.trim(),
    options: { ...settings } as Record<string, unknown>,
    training: { startMs: training.startMs, endMs: training.endMs },
  };
}

export type ModelKeyBase = ReturnType<typeof modelKeyBase>;

/** The upstream named by `upstream=` or the default; only configured upstreams can ever be chosen. */
export function chooseUpstream(
  upstreams: Map<string, UpstreamHttp>,
  defaultUpstreamName: string,
  query: AnomalyQuery
): UpstreamHttp {
  const influx = query.inner.language === 'influxql';
  let name = query.options.upstream;
  if (name === undefined) {
    const influxUpstreams = [...upstreams.values()].filter((u) => u.config.type === 'influxdb');
    const defaultUpstream = upstreams.get(defaultUpstreamName)!;
    name =
      influx && defaultUpstream.config.type !== 'influxdb' && influxUpstreams.length === 1
        ? influxUpstreams[0].name
        : defaultUpstream.name;
  }
  const upstream = upstreams.get(name);
  if (!upstream) {
    throw new QueryParseError(
      query.optionPositions.upstream ?? 1,
      `unknown upstream ${JSON.stringify(name)}; configured upstreams: ${[...upstreams.keys()].join(', ')}`
    );
  }
  const position = query.optionPositions.upstream ?? query.inner.offset + 1;
  if (influx && upstream.config.type !== 'influxdb') {
    throw new QueryParseError(
      position,
      `upstream "${name}" is Prometheus: influxql("...") needs an influxdb upstream (upstream="...")`
    );
  }
  if (!influx && upstream.config.type !== 'prometheus') {
    throw new QueryParseError(
      position,
      `upstream "${name}" is InfluxDB: wrap an InfluxQL statement as influxql("SELECT ...")`
    );
  }
  return upstream;
}
