/**
 * Training the models an evaluation lacks: one fetch of the training range for all of them, then one engine job
 * per model (on a worker thread of the pool, or on the event loop), each kept in the model repository (and store).
 * Concurrent requests share the training of each model they both lack (a training of the same missing keys, joined
 * whole; or the one under way for some of them), which waits for a turn of the host's limit (if any) before it
 * fetches; the flight is forgotten when it settles, so failures are retried next time. The
 * training stops (between models, or by terminating the worker running one) once every request waiting for it has
 * gone or timed out. A key that could not be trained is not tried again until a model of it would be retrained
 * (untrainableReason).
 */
import { EngineInputError, constantColumns } from '@telemetry-analyzer/engine';
import { createHash } from 'node:crypto';
import type { Limits } from '../config';
import { LruCache } from '../models/lruCache';
import { modelKey } from '../models/modelKey';
import type { ModelRepository, TrainedModel } from '../models/modelRepository';
import { SingleFlight } from '../models/singleFlight';
import type { ConcurrencyLimit } from '../training/concurrencyLimit';
import type { EngineThreads } from '../training/trainingPool';
import { labelsKey } from '../upstreams/series';
import type { UpstreamHttp } from '../upstreams/upstreamHttp';
import type { AnomalyQuery } from './anomalyQuery';
import { throwIfAborted } from './cancellation';
import { checkFeatureValues } from './costLimits';
import { detectorOptionsOf, type ModelKeyBase, type ResolvedSettings } from './evaluationPlan';
import { fetchSeries, type FetchOptions, type SeriesSelection } from './seriesFetch';
import { buildTable, buildUnits, firstCompleteTime, type ModelUnit } from './seriesTables';

/** The flight of a set of missing models: identical jobs share it. */
function flightKeyOf(missing: TrainingJob['missing']): string {
  return createHash('sha256')
    .update(
      missing
        .map((m) => m.key)
        .sort()
        .join(',')
    )
    .digest('hex');
}

/** Per missing model key: the trained model, or why there is none. */
export type TrainingOutcome = Map<string, TrainedModel | string>;

/** The models one evaluation lacks, and what training them needs. */
export interface TrainingJob {
  upstream: UpstreamHttp;
  query: AnomalyQuery;
  settings: ResolvedSettings;
  base: ModelKeyBase;
  missing: Array<{ unit: ModelUnit; key: string }>;
  /** The range the missing models train on (trainingRange): part of their keys. */
  training: { startMs: number; endMs: number };
  /** Only these series are read (a writer shard's); undefined = the whole query. */
  selection?: SeriesSelection;
}

export interface TrainingHooks extends Pick<FetchOptions, 'onPointsRead' | 'onReadWhole' | 'seriesListing'> {
  onTrained(seconds: number): void;
  onTrainingFailed(): void;
  log: { info(o: object, m: string): void };
  /** Trainings at once (a flight takes one turn, however many requests wait for it); none: unbounded. */
  limit?: ConcurrencyLimit;
}

/** Model keys whose failed training ModelTraining remembers (~0.3 KB each): bounds what new keys can make it hold. */
export const MAX_UNTRAINABLE_KEYS = 10_000;

export class ModelTraining {
  private readonly flights = new SingleFlight<TrainingOutcome>();
  /** The training under way for each key being trained (its flight key). */
  private readonly flightOfKey = new Map<string, string>();
  /**
   * Keys a training found no model for (no data in the training range, too few rows), why, and when. The same range
   * holds the same data until a model of that key would be retrained: a series that cannot train (a host that came
   * up after the training window) made every evaluation of its query fetch the training range again and wait for a
   * training turn behind other clients' cold queries (an attack review: an alert rule took 19 s instead of 20 ms).
   */
  private readonly untrainable = new LruCache<string, { reason: string; atMs: number }>(MAX_UNTRAINABLE_KEYS);

  constructor(
    private readonly limits: Limits,
    private readonly models: ModelRepository,
    private readonly engine: EngineThreads,
    private readonly hooks: TrainingHooks,
    private readonly now: () => number
  ) {}

  /**
   * Why `key` has no model, when a training found none within `maxAgeMs` (modelMaxAge: the age a model of it may
   * have; undefined = any); undefined when it should be trained.
   */
  untrainableReason(key: string, maxAgeMs: number | undefined): string | undefined {
    const known = this.untrainable.get(key);
    if (known === undefined || (maxAgeMs !== undefined && this.now() - known.atMs > maxAgeMs)) {
      return undefined;
    }
    return known.reason;
  }

  /**
   * Trains the job's missing models: those another training under way is training already by joining it, the rest in
   * a training of their own (which identical jobs join). A dashboard and an alert rule whose series differ by one
   * (a new host) trained every shared model twice, each in a turn of its own (an attack review: 240 trainings for
   * 120 models).
   */
  async train(job: TrainingJob, signal?: AbortSignal): Promise<TrainingOutcome> {
    const byFlight = new Map<string, TrainingJob['missing']>();
    const rest: TrainingJob['missing'] = [];
    for (const entry of job.missing) {
      const flight = this.flightOfKey.get(entry.key);
      if (flight === undefined) {
        rest.push(entry);
      } else {
        byFlight.set(flight, [...(byFlight.get(flight) ?? []), entry]);
      }
    }
    if (rest.length > 0) {
      byFlight.set(flightKeyOf(rest), rest);
    }
    const outcomes = await Promise.all(
      [...byFlight].map(([flightKey, missing]) => this.fly(flightKey, { ...job, missing }, signal))
    );
    const outcome: TrainingOutcome = new Map();
    for (const { key } of job.missing) {
      const result = outcomes.find((each) => each.has(key))?.get(key);
      if (result !== undefined) {
        outcome.set(key, result);
      }
    }
    return outcome;
  }

  /**
   * Joins the training `flightKey` names, or starts it for `job` (it has settled, or never ran): its keys are then
   * known to be under way (flightOfKey) until it settles.
   */
  private fly(flightKey: string, job: TrainingJob, signal?: AbortSignal): Promise<TrainingOutcome> {
    const { limit } = this.hooks;
    return this.flights.run(
      flightKey,
      async (flightSignal) => {
        // Registered as the flight starts (synchronously, before any other job can look).
        const keys = job.missing.map((m) => m.key);
        keys.forEach((key) => this.flightOfKey.set(key, flightKey));
        try {
          return await (limit
            ? limit.run(() => this.trainMissing(job, flightSignal), flightSignal)
            : this.trainMissing(job, flightSignal));
        } finally {
          keys.forEach((key) => this.flightOfKey.get(key) === flightKey && this.flightOfKey.delete(key));
        }
      },
      signal
    );
  }

  private async trainMissing(
    { upstream, query, settings, base, missing, training, selection }: TrainingJob,
    signal: AbortSignal
  ): Promise<TrainingOutcome> {
    const { startMs, endMs } = training;
    const range = { startMs, endMs, stepMs: settings.stepMs };
    const series = await fetchSeries(upstream, query, range, this.limits, {
      signal,
      parseMatrix: this.engine.parseTrainingMatrix,
      selection,
      onPointsRead: this.hooks.onPointsRead,
      onReadWhole: this.hooks.onReadWhole,
      seriesListing: this.hooks.seriesListing,
    });
    const units = buildUnits(series, settings.mode, settings.by);
    // The rows fetched may be more than the steps (an InfluxDB statement without GROUP BY time).
    checkFeatureValues(units, detectorOptionsOf(settings).features ?? {}, this.limits, 0, settings.stepMs);
    const trainingUnits = new Map(units.map((u) => [modelKey({ ...base, labels: u.labels }), u]));
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
      outcome.set(key, await this.trainOne(unit, key, settings, { startMs, endMs }, signal));
    }
    for (const [key, result] of outcome) {
      if (typeof result === 'string') {
        this.untrainable.set(key, { reason: result, atMs: this.now() });
      } else {
        this.untrainable.delete(key);
      }
    }
    return outcome;
  }

  private async trainOne(
    unit: ModelUnit,
    key: string,
    settings: ResolvedSettings,
    range: { startMs: number; endMs: number },
    signal: AbortSignal
  ): Promise<TrainedModel | string> {
    const began = process.hrtime.bigint();
    const table = buildTable(unit, undefined, settings.stepMs);
    const dataStart = firstCompleteTime(table);
    // Before training: the table's arrays may be handed over to the training thread.
    const constant = constantColumns(table);
    let trained;
    try {
      trained = await this.engine.train(table, detectorOptionsOf(settings), this.models.saves, signal);
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
      trainStart: range.startMs,
      trainEnd: range.endMs,
      dataStart,
      constantColumns: constant,
      detector: trained.transfer,
    };
    this.hooks.log.info(
      { model: key, series: labelsKey(unit.labels), trainStart: range.startMs, trainEnd: range.endMs },
      'trained a model'
    );
    await this.models.put(model, trained.saved);
    return model;
  }
}
