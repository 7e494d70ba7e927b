/**
 * Scoring the units of an evaluation that have a model: one engine job per unit (training/engineJobs.ts, on the
 * scoring worker or the event loop) that scores the unit's table with the model and its score cache and returns the
 * answer's samples; here, only what is per unit: the score cache kept, the warnings, and the output series.
 */
import { EngineInputError, type SeriesTable } from '@telemetry-analyzer/engine';
import type { ModelRepository, TrainedModel } from '../models/modelRepository';
import type { EngineThreads } from '../training/trainingPool';
import { labelsKey } from '../upstreams/series';
import type { AnomalyFunction, AnomalyQuery } from './anomalyQuery';
import { overFlaggingNotice, withoutMetricNames, type ScoredSeries } from './answerShape';
import { throwIfAborted, yieldToEventLoop } from './cancellation';
import type { ScoredTable } from './scoreCache';
import type { ModelUnit } from './seriesTables';

export interface UnitsToScore {
  query: AnomalyQuery;
  keyed: Array<{ unit: ModelUnit; key: string }>;
  models: Map<string, TrainedModel>;
  /** The table a unit's model scores (columns in the model's order; cached rows spliced in when fast-forwarding). */
  tableOf: (unit: ModelUnit, model: TrainedModel) => SeriesTable;
  /** What was fetched for these tables (kept with the scores, for the next fast-forward). */
  fetched: NonNullable<ScoredTable['fetched']>;
  scoreStartMs: number;
  scoreEndMs: number;
  /** Further functions answered from the same scores. */
  alsoFns?: AnomalyFunction[];
}

/** Per output series its labels and scored samples in the range; warnings are added to `warnings`. */
export async function scoreUnits(
  { query, keyed, models, tableOf, fetched, scoreStartMs, scoreEndMs, alsoFns }: UnitsToScore,
  engine: EngineThreads,
  repository: ModelRepository,
  onRowsScored: (rowsScored: number, rowsFromCache: number) => void,
  warnings: string[],
  signal: AbortSignal | undefined
): Promise<ScoredSeries[]> {
  const output: ScoredSeries[] = [];
  for (const { unit, key } of keyed) {
    // Between units other requests (/healthz, warm queries) get their turn, also when scoring on the event loop.
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
    let scored;
    try {
      scored = await engine.score(
        {
          detector: model.detector,
          table: tableOf(unit, model),
          previous: model.lastScored,
          fn: query.function,
          alsoFns,
          scoreStartMs,
          scoreEndMs,
        },
        signal
      );
    } catch (error) {
      // Data the engine refuses (a value beyond float32, an exporter's sentinel) fails this unit, not the query: the
      // other series' alerts still evaluate, as when such a value is in the training range.
      if (error instanceof EngineInputError) {
        warnings.push(`no scores for ${labelsKey(unit.labels)}: ${error.message}`);
        continue;
      }
      throw error;
    }
    repository.keepScores(model, { ...scored.scored, fetched });
    onRowsScored(scored.rowsScored, scored.rowsFromCache);
    const notice = overFlaggingNotice(unit.labels, scored.flagged, model.detector.options.forest.contamination);
    if (notice !== undefined) {
      warnings.push(notice);
    }
    // Every input series of the unit gets the unit's result under its own labels.
    for (const column of columns) {
      const series = unit.columns.get(column);
      if (series) {
        output.push({ labels: series.labels, ...scored.samples, also: scored.also });
      }
    }
  }
  return withoutMetricNames(output);
}
