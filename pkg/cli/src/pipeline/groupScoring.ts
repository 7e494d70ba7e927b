/**
 * Scores RowBatches for every group of an input: each group's complete rows go to its own scorer (a trained
 * detector's ChunkScorer, or an online OnlineChunkScorer), missing rows are marked, and an engine error becomes an
 * InputError at the group's first row of the batch. The same code runs on the main thread or in the scoring worker
 * (scoringThread.ts); only the plan and typed arrays cross between them. With two threads the scoring thread is the
 * busier one, so the outputs are formatted on the thread that reads (ScoreLines, runDetect).
 */
import {
  AnomalyDetector,
  DEFAULT_DETECTOR_SETTINGS,
  type DetectorOptions,
  type ForestScoring,
  type OnlineOptions,
  type SerializedDetector,
  type TransferredDetector,
  keptLayoutScoring,
} from '@telemetry-analyzer/engine';
import type { RowBatch } from '../input/rowBatch';
import { isScoredRow } from '../input/rowReader';
import { ChunkScorer, UntrainedScorer, type GroupScorer } from './chunkScorer';
import { emptyScores, MISSING, type BatchScores } from './batchScores';
import { withEngineErrors } from './engineErrors';
import { OnlineChunkScorer, OnlineFinisher } from './onlineChunkScorer';
import { groupPrefix } from '../output/groupPrefix';

/** How the groups are scored: plain data, so that it can be posted to a worker. */
export interface ScoringPlan {
  /** Group names, in the order of RowBatch.groupIndex. */
  groups: string[];
  metricNames: string[];
  source: string;
  headerLine: number;
  perColumn: boolean;
  /**
   * A row missing some metrics is scored for the others (isScoredRow): per-series models in batch mode, which score
   * each metric on its own points as the panel and the proxy do; online models take complete rows only.
   */
  partialRows: boolean;
  /** The input has a group column (--group-by): scores.csv names each row's group. */
  grouped: boolean;
  /** Online mode: the engine options every group's OnlineDetector gets. Else `models`. */
  online?: { detector: DetectorOptions; options: OnlineOptions };
  /**
   * Trained detectors by group, for batch scoring: their toTransfer form (the compact trees as typed arrays, copied
   * whole to a worker), not toJSON's, whose base64 text (~40-400 kB a group) both threads held for the whole run.
   */
  models?: Record<string, TransferredDetector>;
  /**
   * Online: the thread that reads finishes each batch (GroupFinishing: calibrates the forest's raw scores and
   * explains the anomalies), the one that scores runs the forest stage only; set with a scoring worker, where the
   * reading thread is the less busy one. BatchScores.forest and BatchScores.models hand the results over.
   */
  finishOnReader?: boolean;
  /**
   * Online on the scoring worker: the forest walk of each batch is split with a helper thread (ForestHelper), the
   * rest of scoring stays on the worker. Same scores, bit for bit.
   */
  splitForest?: boolean;
}

/** Per group, what the scoring ends with: the threshold, and online the model current at the end. */
export interface ScoringOutcome {
  thresholds: Array<number | Record<string, number> | undefined>;
  /** Online mode: each group's last model (toJSON form); undefined while a group is still in its warm-up. */
  models: Array<SerializedDetector | undefined>;
  /** Online mode: the warning about each group's constant warm-up columns (constantColumnsNotice), if any. */
  constantColumns: Array<string | undefined>;
}

export class GroupScoring {
  private readonly scorers: GroupScorer[];

  constructor(
    private readonly plan: ScoringPlan,
    /** Already-loaded detectors by group (main thread, batch mode), instead of reviving plan.models. */
    detectors?: Map<string, AnomalyDetector>,
    /**
     * How the forest scores each batch's rows (online with plan.splitForest: a ForestHelper's) [this thread, the
     * layout of the forest scored last kept: keptLayoutScoring].
     */
    scoring?: ForestScoring
  ) {
    const { online } = plan;
    // One for all groups: a single group (the common case) keeps its forest's layout from batch to batch.
    const forestScoring = scoring ?? keptLayoutScoring();
    this.scorers = plan.groups.map((group) => {
      if (online) {
        const history = historyRows(online.detector.features);
        const finish = plan.finishOnReader !== true;
        return new OnlineChunkScorer(plan.metricNames, online.detector, online.options, history, finish, forestScoring);
      }
      // (An own member only: a group named "toString" without a model must not find Object.prototype's.)
      const transferred =
        plan.models && Object.prototype.hasOwnProperty.call(plan.models, group) ? plan.models[group] : undefined;
      const detector = detectors?.get(group) ?? (transferred && AnomalyDetector.fromTransfer(transferred));
      if (!detector) {
        return new UntrainedScorer(plan.metricNames); // too few rows to train on (trainDetectors)
      }
      return new ChunkScorer(detector, historyRows(detector.options.features), forestScoring);
    });
  }

  /**
   * @param leaveShare online with plan.finishOnReader: the share of each group's scored rows whose forest walk is
   *   left to the reading thread (GroupFinishing), which has time to spare (WalkBalance) [0]
   * @throws InputError for what the engine refuses (too few warm-up rows, ...), at the group's first row
   */
  score(batch: RowBatch, leaveShare = 0): BatchScores {
    const scores = emptyScores(batch.size, this.plan.perColumn ? this.plan.metricNames.length : 0);
    markMissing(batch, scores);
    rowsByGroup(batch, this.scorers.length, this.plan.partialRows).forEach((rows, g) => {
      const scorer = this.scorers[g];
      const group = this.plan.groups[g];
      if (scorer instanceof OnlineChunkScorer) {
        scorer.leaveShare = leaveShare;
      }
      withEngineErrors(
        () => ({ source: this.plan.source, line: firstLineOfGroup(batch, g) ?? this.plan.headerLine, column: 1 }),
        groupPrefix(group) +
          (scorer instanceof OnlineChunkScorer
            ? `cannot train on the first ${scorer.forest.options.warmup} complete rows (raise --warmup): `
            : 'cannot score these rows: '),
        () => scorer.score(batch, rows, scores)
      );
    });
    if (this.plan.finishOnReader) {
      const scorers = this.scorers as OnlineChunkScorer[];
      scores.models = scorers.map((scorer) => scorer.modelChanges());
      scores.forest = scorers.map((scorer) => scorer.forestHandover());
    }
    return scores;
  }

  outcome(): ScoringOutcome {
    return {
      thresholds: this.scorers.map((scorer) => scorer.threshold()),
      models: this.scorers.map((scorer) =>
        scorer instanceof OnlineChunkScorer ? scorer.forest.detector?.toJSON() : undefined
      ),
      constantColumns: this.scorers.map((scorer) =>
        scorer instanceof OnlineChunkScorer ? scorer.constantColumns?.text : undefined
      ),
    };
  }
}

/**
 * The reading thread's side of online scoring on a worker (plan.finishOnReader): finishes each batch once the worker
 * ran its forest stage, per group with the rows, raw scores and models the worker's OnlineChunkScorer had
 * (OnlineFinisher): calibrated scores, flags and the anomalies' explanations. Batches must come in the order they
 * were scored.
 */
export class GroupFinishing {
  private readonly finishers: OnlineFinisher[];

  constructor(plan: ScoringPlan) {
    const { detector, options } = plan.online!;
    const history = historyRows(detector.features);
    // One for all groups, as on the worker: a single group keeps its forest's layout from batch to batch.
    const scoring = keptLayoutScoring();
    this.finishers = plan.groups.map(() => new OnlineFinisher(plan.metricNames, detector, options, history, scoring));
  }

  /**
   * Fills in the scores, flags and contributions of the rows the worker ran through its forest stage, after walking
   * the rows it left to this thread.
   */
  finish(batch: RowBatch, scores: BatchScores): void {
    this.finishers.forEach((finisher, g) => finisher.take(scores.forest?.[g], scores.models?.[g] ?? []));
    rowsByGroup(batch, this.finishers.length).forEach((rows, g) => this.finishers[g].score(batch, rows, scores));
  }
}

/** Rows before a batch its lags and rolling windows look back on: window + lags covers the engine's warm-up. */
export function historyRows(features: { window?: number; lags?: number } | undefined): number {
  return (features?.window ?? DEFAULT_DETECTOR_SETTINGS.window) + (features?.lags ?? DEFAULT_DETECTOR_SETTINGS.lags);
}

/**
 * Rows missing a metric, marked MISSING. A loop of its own: in GroupScoring.score, V8 compiled score on stack
 * replacement inside it, and the same optimised code was left again after the loop on later batches (--trace-deopt:
 * once per batch).
 */
function markMissing(batch: RowBatch, scores: BatchScores): void {
  for (let row = 0; row < batch.size; row++) {
    if (batch.missing[row] > 0) {
      scores.status[row] = MISSING;
    }
  }
}

function firstLineOfGroup(batch: RowBatch, group: number): number | undefined {
  const row = batch.groupIndex.indexOf(group);
  return row < 0 ? undefined : batch.lines[row];
}

/**
 * Per group, the batch rows it scores, in order: its rows without a missing value, or with `partialRows` its rows
 * with a value of some metric.
 */
function rowsByGroup(batch: RowBatch, groupCount: number, partialRows = false): Int32Array[] {
  const metrics = batch.values.length;
  const scored = (row: number) => isScoredRow(batch.missing[row], metrics, partialRows);
  if (groupCount === 1) {
    const rows = new Int32Array(batch.size);
    let count = 0;
    for (let row = 0; row < batch.size; row++) {
      if (scored(row)) {
        rows[count++] = row;
      }
    }
    return [rows.subarray(0, count)];
  }
  const lists: number[][] = Array.from({ length: groupCount }, () => []);
  for (let row = 0; row < batch.size; row++) {
    if (scored(row)) {
      lists[batch.groupIndex[row]].push(row);
    }
  }
  return lists.map((rows) => Int32Array.from(rows));
}
