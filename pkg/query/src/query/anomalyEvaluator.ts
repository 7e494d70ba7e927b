/**
 * Evaluates an anomaly query, one concept per file:
 *   plan (evaluationPlan.ts): the upstream, the settings with defaults, the answered and training ranges, refusals;
 *   fetch (seriesFetch.ts): the wrapped query's series; when warm only what the score cache lacks (fastForward.ts);
 *   train (modelTraining.ts): the missing models, single-flight, on the pool's worker threads;
 *   score (unitScoring.ts): every unit with its model, on the scoring worker (training/engineJobs.ts);
 *   answer (answerShape.ts): a matrix or a vector as Prometheus shapes it.
 * This file puts them in order. The event loop only plans, fetches and hands work over: models stay the engine's
 * TransferredDetector here and are decoded, trained and scored on worker threads.
 */
import { featureHistoryRows, gridPointAtOrAfter, type SeriesTable } from '@telemetry-analyzer/engine';
import type { Limits, ServiceConfig } from '../config';
import { LruCache } from '../models/lruCache';
import { ModelRepository, TrainedModel } from '../models/modelRepository';
import { modelKey } from '../models/modelKey';
import type { ConcurrencyLimit } from '../training/concurrencyLimit';
import { engineOnEventLoop, type EngineThreads } from '../training/trainingPool';
import { labelsKey, type Series } from '../upstreams/series';
import { UpstreamHttp } from '../upstreams/upstreamHttp';
import { AnomalyFunction, AnomalyQuery } from './anomalyQuery';
import {
  alsoMatrices,
  overFlaggingNotice,
  toMatrix,
  toVector,
  withoutMetricNames,
  type EvaluationResult,
  type ScoredSeries,
} from './answerShape';
import { badDataAt } from '../errors';
import { throwIfAborted } from './cancellation';
import { checkFeatureValues, checkOptionCosts, checkPointsScored, checkTimeRange } from './costLimits';
import {
  checkTrainingRange,
  chooseUpstream,
  detectorOptionsOf,
  firstWritten,
  modelKeyBase,
  planOrigins,
  resolveSettings,
  scoredRange,
  trainingRange,
  type EvaluationRange,
  type ResolvedSettings,
} from './evaluationPlan';
import {
  CachedRows,
  FastForwardPlan,
  QueryFetchRecord,
  canFastForward,
  fetchStartAfterCache,
  seriesSetOf,
  spliceCachedRows,
} from './fastForward';
import { ModelTraining } from './modelTraining';
import { onlineTrainingRange } from './onlineScoring';
import { fetchSeries, type FetchOptions, type SeriesSelection } from './seriesFetch';
import { ModelUnit, buildTable, buildUnits, firstCompleteTime, unitLabelsOf } from './seriesTables';
import { constantTrainingWarning } from './constantTraining';
import { type TrainingHistory, shortHistoryWarning, shortHistoryWarningOf } from './shortHistory';
import { scoreUnits } from './unitScoring';
import type { SeriesListingCache } from '../upstreams/prometheusSelection';

export type { EvaluationRange, ResolvedSettings } from './evaluationPlan';
export type { EvaluationResult, MatrixResult, MatrixSeries, PromSample, VectorResult } from './answerShape';

/**
 * Which units (a series, or a `by` group) an evaluation scores, by the unit's labels; undefined = all. The writer's
 * shards score their share of a query's units this way, and read only their series where the upstream allows it
 * (seriesFetch.ts).
 */
export type UnitSelector = (labels: Record<string, string>) => boolean;

/** The series a unit selector wants: those of the units it selects. */
function seriesSelectionOf(select: UnitSelector | undefined, settings: ResolvedSettings): SeriesSelection | undefined {
  return select && { keeps: (labels) => select(unitLabelsOf(labels, settings.mode, settings.by)) };
}

/** Runs a query's wait for trainings (see AnomalyEvaluator.evaluate's whileTraining). */
export type TrainingWait = <T>(wait: () => Promise<T>) => Promise<T>;

/** Runs a task in a turn of limits.maxConcurrency (trainings), the caller's query turn lent while it waits. */
type TrainingTurn = <T>(task: () => Promise<T>) => Promise<T>;

export interface EvaluatorHooks {
  onTrained(seconds: number): void;
  onTrainingFailed(): void;
  /** Per scored table: rows the engine scored, and scored rows reused from the model's previous table. */
  onRowsScored(rowsScored: number, rowsFromCache: number): void;
  /** Per upstream read (scored range or training range): the points (samples of all series) it returned. */
  onPointsRead?(points: number): void;
  /** Keeps a narrowed selection's series listing between reads (the writer's, per job); none: list on every read. */
  seriesListing?: SeriesListingCache;
  /**
   * Bounds the evaluations that train at once (the proxy's limits.maxConcurrency): a training fetches its window and
   * trains models, an online query does both at every evaluation. An evaluation whose models are cached takes no
   * turn, so a warm alert rule never waits behind cold dashboard queries. None: unbounded.
   */
  trainingLimit?: ConcurrencyLimit;
  log: { info(o: object, m: string): void; warn(o: object, m: string): void };
}

export class AnomalyEvaluator {
  private readonly training: ModelTraining;
  /** What every upstream read of this evaluator reports (scored range and training range). */
  private readonly readHooks: Pick<FetchOptions, 'onPointsRead' | 'onReadWhole' | 'seriesListing'>;
  /** Per query, what its last evaluation scored (fastForward.ts); small, and as many as models at most. */
  private readonly fetchRecords: LruCache<string, QueryFetchRecord>;

  constructor(
    private readonly config: ServiceConfig,
    private readonly upstreams: Map<string, UpstreamHttp>,
    private readonly models: ModelRepository,
    private readonly hooks: EvaluatorHooks,
    private readonly now: () => number = Date.now,
    /** Where models train and score: the pools' worker threads (TrainingPool, splitEngineThreads), or the event loop. */
    private readonly engine: EngineThreads = engineOnEventLoop
  ) {
    // Weighed by the models a record names: records can never name more models than the cache holds in all, so
    // their memory stays a fraction of the cache's, whatever the queries.
    this.fetchRecords = new LruCache(config.modelCache.maxModels, undefined, (record) =>
      Math.max(1, record.modelKeys.length)
    );
    this.readHooks = {
      onPointsRead: (points: number) => hooks.onPointsRead?.(points),
      onReadWhole: (reason: string) =>
        hooks.log.warn({ reason }, 'reading the whole query: the upstream did not list its series'),
      seriesListing: hooks.seriesListing,
    };
    const trainingHooks = {
      onTrained: (seconds: number) => hooks.onTrained(seconds),
      onTrainingFailed: () => hooks.onTrainingFailed(),
      log: hooks.log,
      limit: hooks.trainingLimit,
      ...this.readHooks,
    };
    this.training = new ModelTraining(config.limits, models, engine, trainingHooks, now);
  }

  async evaluate(
    query: AnomalyQuery,
    range: EvaluationRange,
    signal?: AbortSignal,
    select?: UnitSelector,
    /** Range queries: further functions answered from the same scores, in `also` (the writer's score/flag/threshold). */
    alsoFns?: AnomalyFunction[],
    /**
     * Runs a wait for trainings (a training turn, a training) with the caller's own turn given to others meanwhile
     * (the proxy's limits.maxQueriesInFlight: ConcurrencyLimit.lend) [the wait as it is].
     */
    whileTraining: TrainingWait = (wait) => wait()
  ): Promise<EvaluationResult & { also?: Partial<Record<AnomalyFunction, EvaluationResult>> }> {
    const also = range.kind === 'range' ? alsoFns : undefined;
    if (query.options.online) {
      // An online query trains at every evaluation: it takes a training turn to read its data, then one per model it
      // scores, so that other queries' models take turns with its own. A turn for the whole query let four online
      // queries of many series hold every turn for a minute: an alert's evaluation timed out (an attack review).
      const limit = this.hooks.trainingLimit;
      const turn: TrainingTurn = limit ? (task) => whileTraining(() => limit.run(task, signal)) : (task) => task();
      return this.evaluateOnline(query, range, turn, signal, select, also);
    }
    const fastForwarded = await this.evaluateFetching(query, range, 'newOnly', signal, select, also, whileTraining);
    return fastForwarded ?? (await this.evaluateFetching(query, range, 'whole', signal, select, also, whileTraining))!;
  }

  /** The upstream named by `upstream=` or the default; only configured upstreams can ever be chosen. */
  chooseUpstream(query: AnomalyQuery): UpstreamHttp {
    return chooseUpstream(this.upstreams, this.config.defaultUpstream, query);
  }

  resolveSettings(query: AnomalyQuery, range: EvaluationRange): ResolvedSettings {
    return resolveSettings(this.config.engine, query, range);
  }

  /**
   * Refuses the query over `range` as its evaluation would before fetching anything (its upstream, options, ranges
   * and what they cost), and fetches nothing. Every endpoint that takes a query asks this, those that evaluate none
   * (query_exemplars) too, so that each refuses what another does (an attack review). Without a range (format_query
   * has none), only what no range decides.
   */
  check(query: AnomalyQuery, range: EvaluationRange | undefined): void {
    if (range === undefined) {
      // No times (format_query): what does not depend on them.
      this.chooseUpstream(query);
      checkOptionCosts(
        this.resolveSettings(query, { kind: 'instant', timeMs: 0 }),
        this.config.limits,
        query.optionPositions
      );
    } else if (query.options.online) {
      this.planOnline(query, range);
    } else {
      this.planBatch(query, range);
    }
  }

  /** What a batch evaluation decides before fetching: refused here if it costs too much. */
  private planBatch(query: AnomalyQuery, range: EvaluationRange) {
    const limits = this.config.limits;
    const upstream = this.chooseUpstream(query);
    const settings = this.resolveSettings(query, range);
    checkOptionCosts(settings, limits, query.optionPositions);
    const origins = planOrigins(query, range);
    const { scoreStart, scoreEnd } = scoredRange(limits, range, settings.stepMs, origins);
    // Rolling windows and lags need history before the first scored point.
    const dataStart = scoreStart - featureHistoryRows(settings) * settings.stepMs;
    const warmUp = firstWritten(origins, 'step', 'window', 'lags');
    checkTimeRange(dataStart, scoreEnd, 'the scored range with its warm-up', warmUp);
    const retrainIntervalMs = this.config.engine.retrainIntervalMs;
    const training = trainingRange(limits, settings, scoreStart, retrainIntervalMs, this.now(), origins);
    return { upstream, settings, scoreStart, scoreEnd, dataStart, training };
  }

  /** What an online evaluation decides before fetching: refused here if it costs too much. */
  private planOnline(query: AnomalyQuery, range: EvaluationRange) {
    const limits = this.config.limits;
    const upstream = this.chooseUpstream(query);
    const settings = this.resolveSettings(query, range);
    checkOptionCosts(settings, limits, query.optionPositions);
    const step = settings.stepMs;
    const origins = planOrigins(query, range);
    const { scoreStart, scoreEnd } = scoredRange(limits, range, step, origins);
    const training = onlineTrainingRange(settings.training, scoreStart, this.config.engine.retrainIntervalMs);
    checkTrainingRange(limits, settings, training.startMs, training.endMs, origins);
    // On the query's own step grid (a window starting on the hour is off it when the step does not divide the hour),
    // from the window's first point on it.
    const fetchStart = gridPointAtOrAfter(training.startMs, scoreStart, step);
    if (training.endMs > scoreEnd) {
      // Every point of the range would warm the detector up: nothing scored, silently (a review).
      throw badDataAt(
        firstWritten(origins, 'trainEnd'),
        `online=true scores the points after train_end, and train_end (${new Date(training.endMs).toISOString()}) ` +
          `is after the range's end (${new Date(scoreEnd).toISOString()}): end the training range earlier`
      );
    }
    const window = firstWritten(origins, 'train', 'trainStart', 'step');
    checkTimeRange(fetchStart, scoreEnd, 'the training window and the scored range', window);
    return { upstream, settings, scoreStart, scoreEnd, training, fetchStart };
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
    select?: UnitSelector,
    alsoFns?: AnomalyFunction[],
    whileTraining: TrainingWait = (wait) => wait()
  ): Promise<(EvaluationResult & { also?: Partial<Record<AnomalyFunction, EvaluationResult>> }) | undefined> {
    const limits = this.config.limits;
    const { upstream, settings, scoreStart, scoreEnd, dataStart, training } = this.planBatch(query, range);
    const step = settings.stepMs;
    const base = modelKeyBase(upstream, query, settings, training);
    // Every model key of this query is this plus the unit's labels; the record is per query, not per unit.
    const recordKey = modelKey({ ...base, labels: {} });
    const maxAge = modelMaxAge(settings, training, this.config.engine.retrainIntervalMs, this.now());
    const requested = { startMs: dataStart, endMs: scoreEnd, stepMs: step };
    const plan = fetching === 'newOnly' ? await this.planFastForward(query, recordKey, requested, maxAge) : undefined;
    const selection = seriesSelectionOf(select, settings);
    // What the fetch can hold is the past: samples after this moment do not exist yet (Prometheus answers a future
    // step with the last sample repeated, then nothing), so the cached rows are trusted no further than it, whatever
    // end the request asked for. Else a query ending in the future would leave frozen rows and gaps in the score
    // cache, spliced into every later request instead of the real samples.
    const fetched = { ...requested, endMs: Math.min(scoreEnd, this.now()) };
    const series = await fetchSeries(
      upstream,
      query,
      { ...requested, startMs: plan?.fetchStartMs ?? dataStart },
      limits,
      {
        signal,
        parseMatrix: this.engine.parseMatrix,
        selection,
        onSeriesRead: pointsScoredCheck(settings, Math.floor((scoreEnd - dataStart) / step) + 1, limits),
        ...this.readHooks,
      }
    );
    if (plan && seriesSetOf(series) !== plan.seriesSet) {
      return undefined;
    }

    const units = buildUnits(series, settings.mode, settings.by);
    const keyed = units.map((unit) => ({ unit, key: modelKey({ ...base, labels: unit.labels }) }));
    checkPointsScored(keyed.length, Math.floor((scoreEnd - dataStart) / step) + 1, limits);
    // Before the training range is fetched: its rows on the step are known, the group's width from this fetch.
    const trainingRows = Math.floor((training.endMs - training.startMs) / step) + 1;
    checkFeatureValues(units, detectorOptionsOf(settings).features ?? {}, limits, trainingRows, step);

    const models = new Map<string, TrainedModel>();
    const missing: typeof keyed = [];
    const warnings: string[] = [];
    for (const entry of keyed) {
      const model = await this.models.get(entry.key, maxAge);
      // Retried at least every retrain interval, whatever the range: a fixed range's late samples may arrive (0: never
      // remembered).
      const retryAfter = Math.min(maxAge ?? Infinity, this.config.engine.retrainIntervalMs);
      const untrainable = model ? undefined : this.training.untrainableReason(entry.key, retryAfter);
      if (model) {
        models.set(entry.key, model);
      } else if (untrainable !== undefined) {
        warnings.push(`no model for ${labelsKey(entry.unit.labels)}: ${untrainable}`);
      } else {
        missing.push(entry);
      }
    }
    if (missing.length > 0) {
      const outcome = await whileTraining(() =>
        this.training.train({ upstream, query, settings, base, missing, training, selection }, signal)
      );
      if ('windowMs' in settings.training && this.config.engine.retrainIntervalMs > 0) {
        this.models.forgetUnusedSince(this.now() - this.config.engine.retrainIntervalMs);
      }
      for (const { unit, key } of missing) {
        const result = outcome.get(key);
        if (typeof result === 'object') {
          models.set(key, result);
        } else {
          warnings.push(`no model for ${labelsKey(unit.labels)}: ${result ?? 'the series has no training data'}`);
        }
      }
    }
    const served = keyed.flatMap(({ unit, key }) => {
      const model = models.get(key);
      return model ? [{ labels: unit.labels, model }] : [];
    });
    for (const warning of [shortHistoryWarning(served), constantTrainingWarning(served)]) {
      if (warning !== undefined) {
        warnings.push(warning);
      }
    }
    let tableOf = (unit: ModelUnit, model: TrainedModel): SeriesTable => buildTable(unit, model.detector.columns, step);
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
          buildTable(unit, model.detector.columns, step)
        );
    }
    const scored = await scoreUnits(
      { query, keyed, models, tableOf, fetched, scoreStartMs: scoreStart, scoreEndMs: scoreEnd, alsoFns },
      this.engine,
      this.models,
      this.hooks.onRowsScored,
      warnings,
      signal
    );
    if (models.size > 0) {
      this.fetchRecords.set(recordKey, { modelKeys: [...models.keys()], seriesSet: seriesSetOf(series) });
    } else {
      this.fetchRecords.delete(recordKey); // nothing scored from a model: nothing to fast-forward
    }
    return answerOf(query, range, step, scored, warnings, alsoFns);
  }

  /** An `online=true` query (onlineScoring.ts): trains per evaluation, keeps no model, scores every row causally. */
  private async evaluateOnline(
    query: AnomalyQuery,
    range: EvaluationRange,
    turn: TrainingTurn,
    signal?: AbortSignal,
    select?: UnitSelector,
    alsoFns?: AnomalyFunction[]
  ): Promise<EvaluationResult & { also?: Partial<Record<AnomalyFunction, EvaluationResult>> }> {
    const limits = this.config.limits;
    const { upstream, settings, scoreStart, scoreEnd, training, fetchStart } = this.planOnline(query, range);
    const step = settings.stepMs;
    const series = await turn(() =>
      fetchSeries(upstream, query, { startMs: fetchStart, endMs: scoreEnd, stepMs: step }, limits, {
        signal,
        parseMatrix: this.engine.parseMatrix,
        selection: seriesSelectionOf(select, settings),
        onSeriesRead: pointsScoredCheck(settings, Math.floor((scoreEnd - fetchStart) / step) + 1, limits),
        ...this.readHooks,
      })
    );
    const units = buildUnits(series, settings.mode, settings.by);
    checkPointsScored(units.length, Math.floor((scoreEnd - fetchStart) / step) + 1, limits);
    checkFeatureValues(units, detectorOptionsOf(settings).features ?? {}, limits, 0, step);
    const warnings: string[] = [];
    const output: ScoredSeries[] = [];
    const histories: TrainingHistory[] = [];
    for (const unit of units) {
      throwIfAborted(signal);
      const table = buildTable(unit, undefined, step);
      histories.push({
        labels: unit.labels,
        dataStart: firstCompleteTime(table),
        trainStart: training.startMs,
        trainEnd: training.endMs,
      });
      const outcome = await turn(() =>
        this.engine.scoreOnline(
          {
            table,
            options: detectorOptionsOf(settings),
            trainingEndMs: training.endMs,
            fn: query.function,
            alsoFns,
            scoreStartMs: scoreStart,
            scoreEndMs: scoreEnd,
          },
          signal
        )
      );
      if (typeof outcome === 'string') {
        warnings.push(`no scores for ${labelsKey(unit.labels)}: ${outcome}`);
        continue;
      }
      this.hooks.onRowsScored(outcome.rowsScored, 0);
      const notice = overFlaggingNotice(unit.labels, outcome.flagged, settings.contamination, true);
      if (notice !== undefined) {
        warnings.push(notice);
      }
      for (const column of unit.columns.values()) {
        output.push({ labels: column.labels, ...outcome.samples, also: outcome.also });
      }
    }
    const short = shortHistoryWarningOf(histories);
    if (short !== undefined) {
      warnings.push(short);
    }
    const scored = withoutMetricNames(output);
    return answerOf(query, range, step, scored, warnings, alsoFns);
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

/** The evaluation's answer: a matrix (with the further functions' matrices) for a range, a vector for an instant. */
function answerOf(
  query: AnomalyQuery,
  range: EvaluationRange,
  stepMs: number,
  scored: Parameters<typeof toMatrix>[1],
  warnings: string[],
  alsoFns?: AnomalyFunction[]
): EvaluationResult & { also?: Partial<Record<AnomalyFunction, EvaluationResult>> } {
  return range.kind === 'range'
    ? { ...toMatrix(query, scored, warnings), also: alsoMatrices(query, alsoFns, scored) }
    : toVector(query, scored, range.timeMs, stepMs, warnings);
}

/**
 * Refuses a fetch as soon as the units its series make times `rows` pass limits.maxPointsScoredPerQuery: after the
 * first (short) chunk of a long fetch, not after all of it (checkPointsScored, which runs again on what was read).
 */
function pointsScoredCheck(settings: ResolvedSettings, rows: number, limits: Limits): (series: Series[]) => void {
  const units = new Set<string>();
  return (series) => {
    for (const one of series) {
      if (one.timestamps.length > 0) {
        units.add(labelsKey(unitLabelsOf(one.labels, settings.mode, settings.by)));
      }
    }
    checkPointsScored(units.size, rows, limits);
  };
}

/**
 * How old a stored model of this query may be and still serve it. A relative window's model is trained again when
 * older than the retrain interval, on the same range: samples that arrived late (after the first training) are then
 * in. A fixed range's model serves for good once trained after the range ended; trained before (a range ending in
 * the future: an attack review had the first query of such a range fix, for good, the model of every later rule on
 * it, trained on the part that existed), it is trained again at the interval, and once more after the range ends.
 */
export function modelMaxAge(
  settings: ResolvedSettings,
  training: { endMs: number },
  retrainIntervalMs: number,
  nowMs: number
): number | undefined {
  if ('windowMs' in settings.training) {
    return retrainIntervalMs;
  }
  return nowMs >= training.endMs ? nowMs - training.endMs : retrainIntervalMs;
}
