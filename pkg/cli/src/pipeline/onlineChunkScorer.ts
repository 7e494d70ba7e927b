/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to the engine's online stages batch by batch (their
 * results do not depend on the batching): the forest stage (OnlineForest: raw scores, refits) and the calibration
 * (OnlineCalibrator: calibrated score and flag), and for anomalies the features that isolated them, by the model
 * that scored them (a refit within a batch changes the model from a row on), so explanations do not depend on the
 * batching either.
 *
 * With a scoring worker the worker runs the forest stage only, and the reading thread finishes each batch
 * (OnlineFinisher): it walks the rows the worker left to it (leaveShare), calibrates the raw scores and explains
 * the flagged rows. The worker hands over each batch's forest results and each model that started scoring in the
 * batch, from its first row (toTransfer: the compact trees, no copy per tree); the reading thread keeps the same rows
 * of history as the worker, so the values, the features, the models and hence the scores and contributions are the
 * very same.
 */
import {
  AnomalyDetector,
  ONLINE_TRAINING,
  OnlineCalibrator,
  OnlineForest,
  onlineThreshold,
  perSeriesRow,
  type DetectorOptions,
  type ForestScores,
  type ForestScoring,
  type ForestStageResult,
  type ModelSpan,
  type OnlineOptions,
  SeriesBuffer,
  type SeriesTable,
  walkLeftRows,
} from '@telemetry-analyzer/engine';
import { explainBufferedRows, GroupScorer } from './chunkScorer';
import { SCORED, TRAINING, type BatchScores, type ModelHandover } from './batchScores';
import { constantColumnsNotice, type ConstantColumnsNotice } from './constantColumnsNotice';

export class OnlineChunkScorer extends GroupScorer {
  readonly forest: OnlineForest;
  /** The calibration, when this thread finishes the batches (else an OnlineFinisher does, with forestHandover). */
  private readonly calibrator: OnlineCalibrator | undefined;
  private readonly thresholdValue: number;
  private readonly contamination: number | 'auto';
  /** The models that scored the last batch, from their first row (batch rows), for modelChanges. */
  private lastModels: Array<{ fromRow: number; detector: AnomalyDetector }> = [];
  /** The model last handed over by modelChanges (explanations elsewhere), to hand over only new ones. */
  private handedOver: AnomalyDetector | undefined;
  /** The forest stage's result of the last batch, for forestHandover (batches finished elsewhere). */
  private lastForest: ForestStageResult | undefined;
  /** The warm-up rows, kept only until the first model is trained on them (for the constant-columns warning). */
  private warmup: SeriesBuffer | undefined;
  /** What the warm-up rows' constant columns call for (constantColumnsNotice), once the first model is trained. */
  constantColumns: ConstantColumnsNotice | undefined;
  /**
   * The share of the next batches' scored rows whose forest walk is left to the OnlineFinisher (OnlineForest.push's
   * leaveShare; only when this scorer does not finish its batches) [0]
   */
  leaveShare = 0;

  constructor(
    columns: string[],
    options: DetectorOptions,
    online: OnlineOptions,
    historyRows: number,
    /**
     * false: the forest stage only; the reading thread finishes each batch (OnlineFinisher) with what
     * forestHandover and modelChanges hand over.
     */
    finish = true,
    /** How the forest scores the rows (ForestHelper: over two threads) [this thread]. */
    scoring?: ForestScoring
  ) {
    super(columns, historyRows);
    this.contamination = options.forest?.contamination ?? 'auto';
    this.forest = new OnlineForest(columns, options, online, scoring);
    this.calibrator = finish ? newCalibrator(columns, options, online) : undefined;
    this.thresholdValue = onlineThreshold(options.forest?.contamination ?? 'auto', this.forest.modelCount);
    this.warmup = new SeriesBuffer(columns);
  }

  threshold(): number {
    return this.thresholdValue;
  }

  /** The models that started scoring in the last batch and were not handed over yet, for an OnlineFinisher. */
  modelChanges(): ModelHandover[] {
    const handovers: ModelHandover[] = [];
    for (const { fromRow, detector } of this.lastModels) {
      if (detector !== this.handedOver) {
        handovers.push({ fromRow, model: detector.toTransfer() });
        this.handedOver = detector;
      }
    }
    // Once: a batch without rows of this group has no models to hand over (a refit's two were sent again).
    this.lastModels = [];
    return handovers;
  }

  /** The forest stage's result of the last batch (undefined if the group had no rows in it), for an OnlineFinisher. */
  forestHandover(): ForestScores | undefined {
    const result = this.lastForest;
    this.lastForest = undefined;
    return (
      result && { status: result.status, rawScores: result.rawScores, seed: result.seed, leftWalks: result.leftWalks }
    );
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const table = this.buffer.table(this.historyLength);
    const result = this.forest.push(table, this.calibrator === undefined ? this.leaveShare : 0);
    this.keepWarmup(table, result.status);
    this.lastModels = result.models.map(({ from, detector }) => ({ fromRow: rows[from], detector }));
    markStatus(result.status, rows, out);
    if (this.calibrator === undefined) {
      this.lastForest = result;
      return;
    }
    applyCalibration(this.calibrator, this.contamination, table, result, rows, out);
    explainFlagged(result.models, this.buffer, this.historyLength, this.historyRows, rows, out);
  }

  /** Adds the batch's warm-up rows (its first ones) to `warmup`; once the first model is trained, checks them. */
  private keepWarmup(table: SeriesTable, status: Uint8Array): void {
    if (this.warmup === undefined) {
      return;
    }
    let count = 0;
    while (count < status.length && status[count] === ONLINE_TRAINING) {
      count++;
    }
    const values = table.columns.map((column) => column.values);
    this.warmup.pushRange(table.timestamps, values, 0, count);
    if (this.forest.detector !== undefined) {
      this.constantColumns = constantColumnsNotice(this.warmup.table());
      this.warmup = undefined;
    }
  }
}

/**
 * The reading thread's half of an OnlineChunkScorer that runs the forest stage only: the same rows of history (the
 * same GroupScorer buffer, fed the same rows), the calibration of the forest stage's results, and the models the
 * scorer handed over. score() calibrates and explains the batch's rows (call it with what the scorer handed over).
 */
export class OnlineFinisher extends GroupScorer {
  private readonly calibrator: OnlineCalibrator;
  private readonly contamination: number | 'auto';
  /** The model that scored the last rows explained (kept for the next batch until a handover replaces it). */
  private model: AnomalyDetector | undefined;
  /** The batch's handovers (the scorer's modelChanges and forestHandover), for the next score(). */
  private handovers: ModelHandover[] = [];
  private forest: ForestScores | undefined;

  constructor(
    columns: string[],
    options: DetectorOptions,
    online: OnlineOptions,
    historyRows: number,
    /** How the forest walks the rows the scorer left to this thread (ForestScores.leftWalks). */
    private readonly scoring: ForestScoring
  ) {
    super(columns, historyRows);
    this.contamination = options.forest?.contamination ?? 'auto';
    this.calibrator = newCalibrator(columns, options, online);
  }

  /**
   * Takes the scorer's batch: its forest results (with the rows it left to walk here) and the models it started,
   * each from its first row on.
   */
  take(forest: ForestScores | undefined, handovers: ModelHandover[]): void {
    this.forest = forest;
    this.handovers = handovers;
  }

  threshold(): undefined {
    return undefined;
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const spans: ModelSpan[] = this.model === undefined ? [] : [{ from: 0, detector: this.model }];
    for (const { fromRow, model } of this.handovers) {
      // The scorer's batch rows of this group are these very rows: fromRow is one of them.
      spans.push({ from: rows.indexOf(fromRow), detector: AnomalyDetector.fromTransfer(model) });
    }
    this.handovers = [];
    this.model = spans[spans.length - 1]?.detector;
    const forest = this.forest!;
    this.forest = undefined;
    walkLeftRows(forest, spans, this.scoring);
    applyCalibration(this.calibrator, this.contamination, this.buffer.table(this.historyLength), forest, rows, out);
    explainFlagged(spans, this.buffer, this.historyLength, this.historyRows, rows, out);
  }
}

function newCalibrator(columns: string[], options: DetectorOptions, online: OnlineOptions): OnlineCalibrator {
  return new OnlineCalibrator(
    columns.length,
    options.mode === 'per-column',
    options.forest?.contamination ?? 'auto',
    online
  );
}

/** Each row's status in `out`: training (the warm-up) or scored. */
function markStatus(status: Uint8Array, rows: Int32Array, out: BatchScores): void {
  for (let i = 0; i < rows.length; i++) {
    out.status[rows[i]] = status[i] === ONLINE_TRAINING ? TRAINING : SCORED;
  }
}

/** Calibrates the forest stage's result for the group's batch rows (`table`: their values) into `out`. */
function applyCalibration(
  calibrator: OnlineCalibrator,
  /** The forest option the calibrator flags with. */
  contamination: number | 'auto',
  table: SeriesTable,
  forest: ForestScores,
  rows: Int32Array,
  out: BatchScores
): void {
  const result = calibrator.push(
    table.columns.map((column) => column.values),
    forest
  );
  for (let i = 0; i < rows.length; i++) {
    if (forest.status[i] === ONLINE_TRAINING) {
      continue;
    }
    const row = rows[i];
    out.score[row] = result.scores[i];
    out.rawScore[row] = result.rawScores[i];
    result.columnScores?.forEach((scores, c) => (out.columnScores![c][row] = scores[i]));
    if (result.isAnomaly[i] === 1) {
      out.isAnomaly[row] = 1;
      const { columnScores } = result;
      if (columnScores !== undefined) {
        // Per column: explained by the column the engine's rule chooses (perSeriesRow), as stream --model and batch
        // detect explain a row; a column flags it as the calibration flags it (a review: stream --online gave no
        // "column", and the features came from the first column's model, whichever flagged the row).
        const row = perSeriesRow(
          columnScores.length,
          (c) => columnScores[c][i],
          (c) => (contamination === 'auto' ? forest.rawScores[c][i] : columnScores[c][i]) > calibrator.threshold
        );
        (out.explainedBy ??= new Map()).set(rows[i], row.explainedBy);
      }
    }
  }
}

/**
 * Contributions of the flagged rows among the batch rows `rows` (buffered from `historyLength` on), each by the model
 * that scored it: spans[k].detector from position spans[k].from of `rows` up to the next span. A row with fewer than
 * `historyRows` rows before it in the buffer is left out (possible with a tiny --warmup: it lacks features).
 */
function explainFlagged(
  spans: ModelSpan[],
  buffer: SeriesBuffer,
  historyLength: number,
  historyRows: number,
  rows: Int32Array,
  out: BatchScores
): void {
  spans.forEach(({ from, detector }, k) => {
    const to = k + 1 < spans.length ? spans[k + 1].from : rows.length;
    // By the column that explains the row (per column; else the one model: column undefined).
    const anomalies = new Map<string | undefined, number[]>();
    for (let i = from; i < to; i++) {
      if (out.isAnomaly[rows[i]] === 1 && historyLength + i >= historyRows) {
        const explainedBy = out.explainedBy?.get(rows[i]);
        const column = explainedBy === undefined ? undefined : detector.columns[explainedBy];
        let list = anomalies.get(column);
        if (list === undefined) {
          list = [];
          anomalies.set(column, list);
        }
        list.push(historyLength + i);
      }
    }
    anomalies.forEach((tableRows, column) =>
      explainBufferedRows(detector, buffer, tableRows, column).forEach((contributions, j) =>
        out.contributions.set(rows[tableRows[j] - historyLength], contributions)
      )
    );
  });
}
