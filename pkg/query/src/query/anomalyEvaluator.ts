/**
 * Evaluates an anomaly query: fetch the wrapped query's series from the chosen upstream (when warm, only what the
 * score cache lacks: fastForward.ts), find (or train) a model per series/group, score with the engine's
 * AnomalyDetector, and shape the answer as Prometheus would (matrix or vector).
 */
import {
  AnomalyDetector,
  EngineInputError,
  overFlaggingWarning,
  type DetectorOptions,
  type SeriesTable,
} from '@telemetry-analyzer/engine';
import { createHash } from 'node:crypto';
import { EngineDefaults, ServiceConfig, UpstreamConfig } from '../config';
import { PromApiError, QueryParseError, badData } from '../errors';
import { LruCache } from '../models/lruCache';
import { ModelRepository, TrainedModel } from '../models/modelRepository';
import { modelKey } from '../models/modelKey';
import { SingleFlight } from '../models/singleFlight';
import { formatDuration } from '../time';
import { influxQuery } from '../upstreams/influxUpstream';
import { prometheusQueryRange } from '../upstreams/prometheusUpstream';
import { Series, labelsKey } from '../upstreams/series';
import { UpstreamHttp } from '../upstreams/upstreamHttp';
import { AnomalyQuery } from './anomalyQuery';
import {
  CachedRows,
  FastForwardPlan,
  QueryFetchRecord,
  canFastForward,
  fetchStartAfterCache,
  seriesSetOf,
  spliceCachedRows,
} from './fastForward';
import { OnlineScorer, Trainer, scoreOnlineOnEventLoop, trainOnEventLoop } from '../training/trainingPool';
import { throwIfAborted, yieldToEventLoop } from './cancellation';
import { checkOptionCosts, checkPointsScored, checkSamplesFetched, checkTimeRange } from './costLimits';
import { ScoredTable, scoreWithCache } from './scoreCache';
import { onlineTrainingRange } from './onlineScoring';
import { ModelUnit, buildTable, buildUnits } from './seriesTables';

export type EvaluationRange =
  { kind: 'range'; startMs: number; endMs: number; stepMs: number } | { kind: 'instant'; timeMs: number };

export interface PromSample {
  metric: Record<string, string>;
}
export type MatrixResult = { resultType: 'matrix'; result: Array<PromSample & { values: Array<[number, string]> }> };
export type VectorResult = { resultType: 'vector'; result: Array<PromSample & { value: [number, string] }> };
export type EvaluationResult = (MatrixResult | VectorResult) & { warnings: string[] };

/** Options with every default filled in: what a model depends on (the engine defaults, as overridden by the query). */
export interface ResolvedSettings extends Pick<
  EngineDefaults,
  'contamination' | 'trees' | 'window' | 'lags' | 'seasonality' | 'seed'
> {
  stepMs: number;
  mode: 'univariate' | 'multivariate';
  by: string[];
  /** Relative training window, or a fixed range. */
  training: { windowMs: number } | { startMs: number; endMs: number };
}

/**
 * Which units (a series, or a `by` group) an evaluation scores, by the unit's labels; undefined = all. The writer's
 * shards score their share of a query's units this way.
 */
export type UnitSelector = (labels: Record<string, string>) => boolean;

export interface EvaluatorHooks {
  onTrained(seconds: number): void;
  onTrainingFailed(): void;
  /** Per scored table: rows the engine scored, and scored rows reused from the model's previous table. */
  onRowsScored(rowsScored: number, rowsFromCache: number): void;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

/** How far back an instant query looks for the latest scored sample (Prometheus' default lookback delta). */
const INSTANT_LOOKBACK_MS = 5 * 60_000;

type TrainingOutcome = Map<string, TrainedModel | string>;

/** The models one evaluation lacks, and what training them needs. */
interface TrainingJob {
  upstream: UpstreamHttp;
  query: AnomalyQuery;
  settings: ResolvedSettings;
  base: ReturnType<AnomalyEvaluator['baseKeyParts']>;
  missing: Array<{ unit: ModelUnit; key: string }>;
  dataStartMs: number;
}

export class AnomalyEvaluator {
  private readonly trainingFlights = new SingleFlight<TrainingOutcome>();
  /** Per query, what its last evaluation scored (fastForward.ts); small, and as many as models at most. */
  private readonly fetchRecords: LruCache<string, QueryFetchRecord>;

  constructor(
    private readonly config: ServiceConfig,
    private readonly upstreams: Map<string, UpstreamHttp>,
    private readonly models: ModelRepository,
    private readonly hooks: EvaluatorHooks,
    private readonly now: () => number = Date.now,
    /** Trains a model: on the training pool's worker threads, or on the event loop. */
    private readonly trainer: Trainer = trainOnEventLoop,
    /** Scores an online=true unit: on the training pool's worker threads, or on the event loop. */
    private readonly onlineScorer: OnlineScorer = scoreOnlineOnEventLoop
  ) {
    this.fetchRecords = new LruCache(config.modelCache.maxModels);
  }

  async evaluate(
    query: AnomalyQuery,
    range: EvaluationRange,
    signal?: AbortSignal,
    select?: UnitSelector
  ): Promise<EvaluationResult> {
    if (query.options.online) {
      return this.evaluateOnline(query, range, signal, select);
    }
    const fastForwarded = await this.evaluateFetching(query, range, 'newOnly', signal, select);
    return fastForwarded ?? (await this.evaluateFetching(query, range, 'whole', signal, select))!;
  }

  /**
   * One evaluation. With `fetching` = 'newOnly' the upstream is asked only for what the score cache does not hold
   * (see fastForward.ts); undefined when that turned out not to fit (other series came back, a model changed), and
   * the caller evaluates again with the whole range.
   */
  private async evaluateFetching(
    query: AnomalyQuery,
    range: EvaluationRange,
    fetching: 'newOnly' | 'whole',
    signal?: AbortSignal,
    select?: UnitSelector
  ): Promise<EvaluationResult | undefined> {
    const upstream = this.chooseUpstream(query);
    const settings = this.resolveSettings(query, range);
    checkOptionCosts(settings, this.config.limits);
    const step = settings.stepMs;
    const { scoreStart, scoreEnd } = this.scoredRange(range, step);
    // Rolling windows and lags need history before the first scored point.
    const warmupMs = (settings.window + settings.lags + 1) * step;
    const dataStart = scoreStart - warmupMs;
    checkTimeRange(dataStart, scoreEnd, 'the scored range with its warm-up');
    this.trainingRange(settings, dataStart); // refused here, before anything is fetched, if it costs too much
    const base = this.baseKeyParts(upstream, query, settings);
    // Every model key of this query is this plus the unit's labels; the record is per query, not per unit.
    const recordKey = modelKey({ ...base, labels: {} });
    const maxAge = 'windowMs' in settings.training ? this.config.engine.retrainIntervalMs : undefined;
    const plan =
      fetching === 'newOnly'
        ? await this.planFastForward(query, recordKey, { startMs: dataStart, endMs: scoreEnd, stepMs: step }, maxAge)
        : undefined;
    const series = await this.fetch(upstream, query, plan?.fetchStartMs ?? dataStart, scoreEnd, step, signal);
    if (plan && seriesSetOf(series) !== plan.seriesSet) {
      return undefined;
    }
    this.checkSeriesCount(series.length);

    const units = buildUnits(series, settings.mode, settings.by).filter((unit) => !select || select(unit.labels));
    const keyed = units.map((unit) => ({ unit, key: modelKey({ ...base, labels: unit.labels }) }));
    checkPointsScored(keyed.length, Math.floor((scoreEnd - dataStart) / step) + 1, this.config.limits);

    const models = new Map<string, TrainedModel>();
    const missing: typeof keyed = [];
    for (const entry of keyed) {
      const model = await this.models.get(entry.key, maxAge);
      if (model) {
        models.set(entry.key, model);
      } else {
        missing.push(entry);
      }
    }
    const warnings: string[] = [];
    if (missing.length > 0) {
      const outcome = await this.train({ upstream, query, settings, base, missing, dataStartMs: dataStart }, signal);
      for (const { unit, key } of missing) {
        const result = outcome.get(key);
        if (typeof result === 'object') {
          models.set(key, result);
        } else {
          warnings.push(`no model for ${labelsKey(unit.labels)}: ${result ?? 'the series has no training data'}`);
        }
      }
    }
    let tableOf = (unit: ModelUnit, model: TrainedModel) => buildTable(unit, model.detector.columns);
    if (plan) {
      // A model trained (or reloaded) since the plan may have other columns than the cached rows: fetch whole.
      const changed = [...models].some(([key, model]) => !sameColumns(plan.cached.get(key)?.columns, model));
      if (changed) {
        return undefined;
      }
      tableOf = (unit, model) =>
        spliceCachedRows(
          plan.cached.get(model.key)!.table,
          dataStart,
          plan.fetchStartMs,
          buildTable(unit, model.detector.columns)
        );
    }
    const fetched = { startMs: dataStart, endMs: scoreEnd, stepMs: step };
    const scored = await this.score(query, keyed, models, tableOf, fetched, scoreStart, scoreEnd, warnings, signal);
    this.fetchRecords.set(recordKey, { modelKeys: [...models.keys()], seriesSet: seriesSetOf(series) });
    return range.kind === 'range' ? toMatrix(query, scored, warnings) : toVector(query, scored, range.timeMs, warnings);
  }

  /** The range whose samples the answer holds, refused when it has more points per series than the limit. */
  private scoredRange(range: EvaluationRange, step: number): { scoreStart: number; scoreEnd: number } {
    const scoreStart = range.kind === 'range' ? range.startMs : range.timeMs - INSTANT_LOOKBACK_MS;
    const scoreEnd = range.kind === 'range' ? range.endMs : range.timeMs;
    const points = Math.floor((scoreEnd - scoreStart) / step) + 1;
    if (range.kind === 'range' && points > this.config.limits.maxPointsPerSeries) {
      throw badData(
        `exceeded maximum resolution of ${this.config.limits.maxPointsPerSeries} points per timeseries. Try decreasing the query resolution (?step=XX)`
      );
    }
    return { scoreStart, scoreEnd };
  }

  /** An `online=true` query (onlineScoring.ts): trains per evaluation, keeps no model, scores every row causally. */
  private async evaluateOnline(
    query: AnomalyQuery,
    range: EvaluationRange,
    signal?: AbortSignal,
    select?: UnitSelector
  ): Promise<EvaluationResult> {
    const upstream = this.chooseUpstream(query);
    const settings = this.resolveSettings(query, range);
    checkOptionCosts(settings, this.config.limits);
    const step = settings.stepMs;
    const { scoreStart, scoreEnd } = this.scoredRange(range, step);
    const training = onlineTrainingRange(settings.training, scoreStart, this.config.engine.retrainIntervalMs);
    this.checkTrainingRange(training.startMs, training.endMs, step);
    checkTimeRange(training.startMs, scoreEnd, 'the training window and the scored range');
    const series = await this.fetch(upstream, query, training.startMs, scoreEnd, step, signal);
    this.checkSeriesCount(series.length);
    const units = buildUnits(series, settings.mode, settings.by).filter((unit) => !select || select(unit.labels));
    checkPointsScored(units.length, Math.floor((scoreEnd - training.startMs) / step) + 1, this.config.limits);
    const warnings: string[] = [];
    const output: ScoredSeries[] = [];
    for (const unit of units) {
      throwIfAborted(signal);
      const outcome = await this.onlineScorer(buildTable(unit), detectorOptionsOf(settings), training.endMs, signal);
      if (typeof outcome === 'string') {
        warnings.push(`no scores for ${labelsKey(unit.labels)}: ${outcome}`);
        continue;
      }
      this.hooks.onRowsScored(
        outcome.scored.scoredRows.reduce((n, s) => n + s, 0),
        0
      );
      const samples = samplesInRange(query, outcome.scored, scoreStart, scoreEnd, outcome.flags);
      warnIfOverFlagging(warnings, unit, outcome.scored, scoreStart, scoreEnd, settings.contamination, outcome.flags);
      for (const column of unit.columns.values()) {
        output.push({ labels: column.labels, ...samples });
      }
    }
    const scored = withoutMetricNames(output);
    return range.kind === 'range' ? toMatrix(query, scored, warnings) : toVector(query, scored, range.timeMs, warnings);
  }

  /**
   * The partial fetch this request can do: undefined unless the query was evaluated before and every model it
   * scored still holds raw rows that cover the request's start on its step grid.
   */
  private async planFastForward(
    query: AnomalyQuery,
    recordKey: string,
    request: { startMs: number; endMs: number; stepMs: number },
    maxAge: number | undefined
  ): Promise<FastForwardPlan | undefined> {
    const refetchWindowMs = this.config.scoreCache.refetchWindowMs;
    const inner = query.inner;
    const expression = inner.language === 'promql' ? inner.expression : inner.statement;
    const record = this.fetchRecords.get(recordKey);
    if (refetchWindowMs === 0 || !record || !canFastForward(inner.language, expression)) {
      return undefined;
    }
    const cached = new Map<string, CachedRows>();
    for (const key of record.modelKeys) {
      const model = await this.models.get(key, maxAge);
      if (!model?.lastScored?.fetched) {
        return undefined;
      }
      cached.set(key, { columns: model.detector.columns, table: model.lastScored });
    }
    const ranges = [...cached.values()].map((rows) => rows.table.fetched!);
    const fetchStartMs = fetchStartAfterCache(ranges, request, refetchWindowMs);
    return fetchStartMs === undefined ? undefined : { fetchStartMs, cached, seriesSet: record.seriesSet };
  }

  /** The upstream named by `upstream=` or the default; only configured upstreams can ever be chosen. */
  chooseUpstream(query: AnomalyQuery): UpstreamHttp {
    const influx = query.inner.language === 'influxql';
    let name = query.options.upstream;
    if (name === undefined) {
      const influxUpstreams = [...this.upstreams.values()].filter((u) => u.config.type === 'influxdb');
      const defaultUpstream = this.upstreams.get(this.config.defaultUpstream)!;
      name =
        influx && defaultUpstream.config.type !== 'influxdb' && influxUpstreams.length === 1
          ? influxUpstreams[0].name
          : defaultUpstream.name;
    }
    const upstream = this.upstreams.get(name);
    if (!upstream) {
      throw new QueryParseError(
        query.optionPositions.upstream ?? 1,
        `unknown upstream ${JSON.stringify(name)}; configured upstreams: ${[...this.upstreams.keys()].join(', ')}`
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

  resolveSettings(query: AnomalyQuery, range: EvaluationRange): ResolvedSettings {
    const o = query.options;
    const d = this.config.engine;
    const stepMs = o.step ?? (range.kind === 'range' ? range.stepMs : d.instantStepMs);
    return {
      contamination: o.contamination ?? d.contamination,
      trees: o.trees ?? d.trees,
      window: o.window ?? d.window,
      lags: o.lags ?? d.lags,
      seasonality: o.seasonality ?? d.seasonality,
      seed: o.seed ?? d.seed,
      stepMs,
      mode: o.mode ?? 'univariate',
      by: o.by ?? [],
      training:
        o.trainStart !== undefined
          ? { startMs: o.trainStart, endMs: o.trainEnd! }
          : { windowMs: o.train ?? d.trainingWindowMs },
    };
  }

  private baseKeyParts(upstream: UpstreamHttp, query: AnomalyQuery, settings: ResolvedSettings) {
    const inner = query.inner;
    return {
      upstream: upstream.name,
      language: inner.language,
      expression: inner.language === 'promql' ? inner.expression : inner.statement.trim(),
      options: { ...settings } as Record<string, unknown>,
    };
  }

  private async fetch(
    upstream: UpstreamHttp,
    query: AnomalyQuery,
    startMs: number,
    endMs: number,
    stepMs: number,
    signal?: AbortSignal
  ): Promise<Series[]> {
    const inner = query.inner;
    const series =
      inner.language === 'promql'
        ? await prometheusQueryRange(upstream, inner.expression, startMs, endMs, stepMs, signal)
        : await influxQuery(upstream, inner.statement, startMs, endMs, stepMs, signal);
    checkSamplesFetched(series, this.config.limits);
    return series.filter((s) => s.timestamps.length > 0);
  }

  private checkSeriesCount(count: number): void {
    if (count > this.config.limits.maxSeriesPerQuery) {
      throw new PromApiError(
        422,
        'execution',
        `the wrapped query returned ${count} series; at most ${this.config.limits.maxSeriesPerQuery} can be scored (limits.maxSeriesPerQuery): narrow it with label matchers`
      );
    }
  }

  /**
   * Trains the missing models from one fetch of the training range. Identical concurrent requests (same missing
   * keys) share one training; the flight is forgotten when it settles, so failures are retried next time. The
   * training stops (between models) once every request waiting for it has gone or timed out.
   */
  private train(job: TrainingJob, signal?: AbortSignal): Promise<TrainingOutcome> {
    const flightKey = createHash('sha256')
      .update(
        job.missing
          .map((m) => m.key)
          .sort()
          .join(',')
      )
      .digest('hex');
    return this.trainingFlights.run(flightKey, (flightSignal) => this.trainMissing(job, flightSignal), signal);
  }

  private async trainMissing(
    { upstream, query, settings, base, missing, dataStartMs }: TrainingJob,
    signal: AbortSignal
  ): Promise<TrainingOutcome> {
    const step = settings.stepMs;
    const { startMs, endMs } = this.trainingRange(settings, dataStartMs);
    const series = await this.fetch(upstream, query, startMs, endMs, step, signal);
    this.checkSeriesCount(series.length);
    const trainingUnits = new Map(
      buildUnits(series, settings.mode, settings.by).map((u) => [modelKey({ ...base, labels: u.labels }), u])
    );
    const outcome: TrainingOutcome = new Map();
    for (const { key } of missing) {
      const unit = trainingUnits.get(key);
      if (!unit) {
        outcome.set(
          key,
          `no data between ${new Date(startMs).toISOString()} and ${new Date(endMs).toISOString()} to train on`
        );
        continue;
      }
      throwIfAborted(signal);
      outcome.set(key, await this.trainOne(unit, key, settings, startMs, endMs, signal));
    }
    return outcome;
  }

  /** The range a model of this query is trained on, refused before any fetch when it costs too much. */
  private trainingRange(settings: ResolvedSettings, dataStartMs: number): { startMs: number; endMs: number } {
    const step = settings.stepMs;
    const training = settings.training;
    const endMs = 'windowMs' in training ? dataStartMs - step : training.endMs;
    const startMs = 'windowMs' in training ? endMs - training.windowMs : training.startMs;
    this.checkTrainingRange(startMs, endMs, step);
    return { startMs, endMs };
  }

  private checkTrainingRange(startMs: number, endMs: number, step: number): void {
    checkTimeRange(startMs, endMs, 'the training range');
    const points = Math.floor((endMs - startMs) / step) + 1;
    if (points > this.config.limits.maxTrainingPointsPerSeries) {
      throw badData(
        `training range ${formatDuration(endMs - startMs)} at step ${formatDuration(step)} is ${points} points per series; ` +
          `at most ${this.config.limits.maxTrainingPointsPerSeries} (limits.maxTrainingPointsPerSeries): shorten train= or raise step=`
      );
    }
  }

  private async trainOne(
    unit: ModelUnit,
    key: string,
    settings: ResolvedSettings,
    startMs: number,
    endMs: number,
    signal: AbortSignal
  ): Promise<TrainedModel | string> {
    const options = detectorOptionsOf(settings);
    const began = process.hrtime.bigint();
    let detector: AnomalyDetector;
    try {
      detector = await this.trainer(buildTable(unit), options, signal);
    } catch (error) {
      if (error instanceof EngineInputError) {
        this.hooks.onTrainingFailed();
        return `cannot train: ${error.message}`;
      }
      throw error;
    }
    this.hooks.onTrained(Number(process.hrtime.bigint() - began) / 1e9);
    const model: TrainedModel = {
      key,
      description: `${labelsKey(unit.labels)} columns ${JSON.stringify([...unit.columns.keys()].sort())}`,
      trainedAt: this.now(),
      trainStart: startMs,
      trainEnd: endMs,
      detector,
    };
    this.hooks.log.info(
      { model: key, series: labelsKey(unit.labels), trainStart: startMs, trainEnd: endMs },
      'trained a model'
    );
    await this.models.put(model);
    return model;
  }

  /** Scores every unit that has a model; returns per output series its labels and scored samples in the range. */
  private async score(
    query: AnomalyQuery,
    keyed: Array<{ unit: ModelUnit; key: string }>,
    models: Map<string, TrainedModel>,
    tableOf: (unit: ModelUnit, model: TrainedModel) => SeriesTable,
    fetched: NonNullable<ScoredTable['fetched']>,
    scoreStart: number,
    scoreEnd: number,
    warnings: string[],
    signal: AbortSignal | undefined
  ): Promise<ScoredSeries[]> {
    const output: ScoredSeries[] = [];
    for (const { unit, key } of keyed) {
      // Each model is scored in one piece; between models other requests (/healthz, warm queries) get their turn.
      await yieldToEventLoop();
      throwIfAborted(signal);
      const model = models.get(key);
      if (!model) {
        continue;
      }
      const columns = model.detector.columns;
      const extra = [...unit.columns.keys()].filter((c) => !columns.includes(c));
      if (extra.length > 0) {
        warnings.push(
          `${labelsKey(unit.labels)}: series ${extra.join(', ')} appeared after the model was trained and are not scored`
        );
      }
      const { scored, rowsScored, rowsFromCache } = scoreWithCache(
        model.detector,
        tableOf(unit, model),
        model.lastScored
      );
      this.models.keepScores(model, { ...scored, fetched });
      this.hooks.onRowsScored(rowsScored, rowsFromCache);
      const samples = samplesInRange(query, scored, scoreStart, scoreEnd);
      warnIfOverFlagging(warnings, unit, scored, scoreStart, scoreEnd, model.detector.options.forest.contamination);
      // Every input series of the unit gets the unit's result under its own labels.
      for (const column of columns) {
        const series = unit.columns.get(column);
        if (series) {
          output.push({ labels: series.labels, ...samples });
        }
      }
    }
    return withoutMetricNames(output);
  }
}

/**
 * Adds a warning (Prometheus' `warnings`, which Grafana shows on the panel) when a unit flags far more of the scored
 * range than its contamination asks for (the engine's overFlaggingWarning): the model no longer fits the data.
 */
function warnIfOverFlagging(
  warnings: string[],
  unit: ModelUnit,
  scored: ScoredTable,
  scoreStart: number,
  scoreEnd: number,
  contamination: number | 'auto',
  flags?: Uint8Array
): void {
  let rows = 0;
  let flagged = 0;
  for (let row = 0; row < scored.timestamps.length; row++) {
    const t = scored.timestamps[row];
    if (scored.scoredRows[row] && t >= scoreStart && t <= scoreEnd) {
      rows++;
      flagged += (flags ? flags[row] === 1 : scored.scores[row] > scored.threshold) ? 1 : 0;
    }
  }
  const warning = overFlaggingWarning(flagged, rows, contamination);
  if (warning !== undefined) {
    warnings.push(`${labelsKey(unit.labels)}: ${warning}`);
  }
}

/** The engine's options for a query's settings: one multivariate model per unit (a unit is one series univariate). */
function detectorOptionsOf(settings: ResolvedSettings): DetectorOptions {
  return {
    features: { window: settings.window, lags: settings.lags, seasonality: settings.seasonality },
    forest: { nEstimators: settings.trees, contamination: settings.contamination, seed: settings.seed },
    mode: 'multivariate',
  };
}

/** Whether the cached rows' columns are the model's (same names, same order). */
function sameColumns(cachedColumns: readonly string[] | undefined, model: TrainedModel): boolean {
  const columns = model.detector.columns;
  return (
    cachedColumns !== undefined &&
    cachedColumns.length === columns.length &&
    cachedColumns.every((name, i) => name === columns[i])
  );
}

/** The scored samples of one unit: timestamps (ms) and the anomaly function's value at each. */
interface Samples {
  timestamps: Float64Array;
  values: Float64Array;
}

interface ScoredSeries extends Samples {
  labels: Record<string, string>;
}

/**
 * The scored rows within [scoreStart, scoreEnd], valued as the query's function asks. `flags` (online queries) are
 * the flags as the detector decided them; otherwise a row is flagged when its score exceeds the threshold.
 */
function samplesInRange(
  query: AnomalyQuery,
  scored: ScoredTable,
  scoreStart: number,
  scoreEnd: number,
  flags?: Uint8Array
): Samples {
  const { timestamps: rowTimes, scoredRows, scores, threshold } = scored;
  let count = 0;
  for (let row = 0; row < rowTimes.length; row++) {
    if (scoredRows[row] && rowTimes[row] >= scoreStart && rowTimes[row] <= scoreEnd) {
      count++;
    }
  }
  const timestamps = new Float64Array(count);
  const values = new Float64Array(count);
  for (let row = 0, i = 0; row < rowTimes.length; row++) {
    const t = rowTimes[row];
    if (!scoredRows[row] || t < scoreStart || t > scoreEnd) {
      continue;
    }
    timestamps[i] = t;
    values[i] =
      query.function === 'anomaly_score'
        ? scores[row]
        : query.function === 'anomaly_flag'
          ? (flags ? flags[row] === 1 : scores[row] > threshold)
            ? 1
            : 0
          : threshold;
    i++;
  }
  return { timestamps, values };
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

/** Drops `__name__` like Prometheus does for functions, except where that would make two series identical. */
function withoutMetricNames(series: ScoredSeries[]): ScoredSeries[] {
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
  }));
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) {
    return 'NaN';
  }
  if (!Number.isFinite(value)) {
    return value > 0 ? '+Inf' : '-Inf';
  }
  return String(value);
}

function toMatrix(query: AnomalyQuery, series: ScoredSeries[], warnings: string[]): EvaluationResult {
  const test = comparisonOf(query);
  const result: MatrixResult['result'] = [];
  for (const s of series) {
    const values: Array<[number, string]> = [];
    for (let i = 0; i < s.timestamps.length; i++) {
      const v = compared(query, test, s.values[i]);
      if (v !== undefined) {
        values.push([s.timestamps[i] / 1000, formatValue(v)]);
      }
    }
    if (values.length > 0) {
      result.push({ metric: s.labels, values });
    }
  }
  return { resultType: 'matrix', result, warnings };
}

/** An instant query reports each series' latest scored sample (within the lookback) at the evaluation time. */
function toVector(query: AnomalyQuery, series: ScoredSeries[], timeMs: number, warnings: string[]): EvaluationResult {
  const test = comparisonOf(query);
  const result: VectorResult['result'] = [];
  for (const s of series) {
    const last = s.timestamps.length - 1;
    if (last < 0 || s.timestamps[last] <= timeMs - INSTANT_LOOKBACK_MS) {
      continue;
    }
    const v = compared(query, test, s.values[last]);
    if (v !== undefined) {
      result.push({ metric: s.labels, value: [timeMs / 1000, formatValue(v)] });
    }
  }
  return { resultType: 'vector', result, warnings };
}
