/**
 * What one anomaly query may cost, checked before the work it bounds: option values (limits.maxTrees, maxWindow,
 * maxLags) and times before anything is fetched, samples as they arrive (maxSamplesPerQuery), rows before they are
 * scored (maxPointsScoredPerQuery), a model's feature matrix before it is built (maxFeatureValuesPerModel). Every refusal names its limit, so an operator knows what to raise.
 */
import { type FeatureOptions, maxFeatureColumns } from '@telemetry-analyzer/engine';
import type { Limits } from '../config';
import { PromApiError, badDataAt } from '../errors';
import type { StatementLimits } from '../upstreams/influxql/readOnlySelect';
import { type Series, labelsKey } from '../upstreams/series';
import { type ModelUnit, unitRowCount } from './seriesTables';

/** The times the proxy computes with: JavaScript Date's range, ±8.64e15 ms (about ±275 000 years). */
export const MAX_ABS_TIME_MS = 8.64e15;

/**
 * Refuses an option over the proxy's limit for it, at the option's position in the query when written there (a
 * default over a lowered limit has none).
 */
export function checkOptionCosts(
  settings: { trees: number; window: number; lags: number },
  limits: Limits,
  positions: Partial<Record<'trees' | 'window' | 'lags', number>> = {}
): void {
  const bounded = [
    ['trees', settings.trees, limits.maxTrees, 'maxTrees'],
    ['window', settings.window, limits.maxWindow, 'maxWindow'],
    ['lags', settings.lags, limits.maxLags, 'maxLags'],
  ] as const;
  for (const [option, value, limit, key] of bounded) {
    if (value > limit) {
      throw badDataAt(positions[option], `${option}=${value} is more than limits.${key} allows (${limit})`);
    }
  }
}

/**
 * Refuses a range the query's options and times stretch beyond any real time (e.g. step="100000d", window=1440), at
 * `position`: the option that stretches it, when written in the query.
 */
export function checkTimeRange(startMs: number, endMs: number, what: string, position?: number): void {
  for (const ms of [startMs, endMs]) {
    if (!Number.isFinite(ms) || Math.abs(ms) > MAX_ABS_TIME_MS) {
      throw badDataAt(
        position,
        `${what} reaches beyond the times the proxy supports (±${MAX_ABS_TIME_MS} ms): shorten step=, train= or window=`
      );
    }
  }
}

/**
 * What one InfluxQL statement may make InfluxDB compute, from the same limits as the points and series a query may
 * read: per series no more GROUP BY time(...) buckets, top()/sample() N, window or LIMIT/OFFSET than the points a
 * series can bring (training and answer), no SLIMIT/SOFFSET beyond maxSeriesPerQuery. `rangeMs` once it is known.
 */
export function influxqlLimits(limits: Limits, rangeMs?: number): StatementLimits {
  return {
    points: {
      max: limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries,
      source: 'limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries',
    },
    series: { max: limits.maxSeriesPerQuery, source: 'limits.maxSeriesPerQuery' },
    rangeMs,
  };
}

export function checkSamplesFetched(series: Series[], limits: Limits): void {
  checkSampleCount(
    series.reduce((sum, one) => sum + one.timestamps.length, 0),
    limits
  );
}

/** Refuses `samples` beyond limits.maxSamplesPerQuery: also while chunks still arrive, so no further one is asked. */
export function checkSampleCount(samples: number, limits: Limits): void {
  if (samples > limits.maxSamplesPerQuery) {
    throw new PromApiError(
      422,
      'execution',
      `query processing would load too many samples into memory: ${samples} samples fetched, at most ${limits.maxSamplesPerQuery} (limits.maxSamplesPerQuery)`
    );
  }
}

export function checkPointsScored(models: number, rowsPerModel: number, limits: Limits): void {
  const points = models * rowsPerModel;
  if (points > limits.maxPointsScoredPerQuery) {
    throw new PromApiError(
      422,
      'execution',
      `${models} models x ${rowsPerModel} rows is ${points} points to score, at most ${limits.maxPointsScoredPerQuery} (limits.maxPointsScoredPerQuery): narrow the query or raise step=`
    );
  }
}

/**
 * Refuses a unit whose feature matrix would hold more than limits.maxFeatureValuesPerModel values: rows (its series'
 * distinct timestamps, at least `atLeastRows`) x feature columns. A multivariate group of hundreds of series at many
 * lags took 4.9 GB and 12.9 GB of memory in an attack review, within every other limit.
 */
export function checkFeatureValues(
  units: ModelUnit[],
  features: FeatureOptions,
  limits: Limits,
  atLeastRows = 0,
  /** The query's step: a group's rows are then its grid's (buildTable) */
  stepMs?: number
): void {
  for (const unit of units) {
    const columns = maxFeatureColumns(unit.columns.size, features);
    const rows = Math.max(unitRowCount(unit, stepMs), atLeastRows);
    if (rows * columns > limits.maxFeatureValuesPerModel) {
      throw new PromApiError(
        422,
        'execution',
        `the model of ${labelsKey(unit.labels)} would learn from ${rows} rows x ${columns} feature columns ` +
          `(${unit.columns.size} series) = ${rows * columns} values, at most ${limits.maxFeatureValuesPerModel} ` +
          `(limits.maxFeatureValuesPerModel): group by more labels, lower lags= or raise step=`
      );
    }
  }
}
