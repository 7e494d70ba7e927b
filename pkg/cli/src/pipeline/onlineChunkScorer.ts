/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to an OnlineDetector batch by batch (its results
 * do not depend on the batching), and come back with the calibrated score, the raw forest score, the flag, and for
 * anomalies the features that isolated them, by the model that scored them (a refit within a batch changes the
 * model from a row on), so explanations do not depend on the batching either.
 *
 * With a scoring worker the explanations are made on the reading thread instead (OnlineExplainer), which is the
 * less busy one: the worker hands over each model that started scoring in the batch, from its first row
 * (toTransfer: the compact trees, no copy per tree), and the reading thread keeps the same rows of history as the
 * worker, so the features, the models and hence the contributions are the very same.
 */
import {
  AnomalyDetector,
  ONLINE_TRAINING,
  OnlineDetector,
  type DetectorOptions,
  type ForestScoring,
  type ModelSpan,
  type OnlineOptions,
  SeriesBuffer,
  type SeriesTable,
} from '@telemetry-analyzer/engine';
import { explainBufferedRows, GroupScorer } from './chunkScorer';
import { SCORED, TRAINING, type BatchScores, type ModelHandover } from './batchScores';
import { constantColumnsNotice, type ConstantColumnsNotice } from './constantColumnsNotice';

export class OnlineChunkScorer extends GroupScorer {
  readonly detector: OnlineDetector;
  /** The models that scored the last batch, from their first row (batch rows), for modelChanges. */
  private lastModels: Array<{ fromRow: number; detector: AnomalyDetector }> = [];
  /** The model last handed over by modelChanges (explanations elsewhere), to hand over only new ones. */
  private handedOver: AnomalyDetector | undefined;
  /** The warm-up rows, kept only until the first model is trained on them (for the constant-columns warning). */
  private warmup: SeriesBuffer | undefined;
  /** What the warm-up rows' constant columns call for (constantColumnsNotice), once the first model is trained. */
  constantColumns: ConstantColumnsNotice | undefined;

  constructor(
    columns: string[],
    options: DetectorOptions,
    online: OnlineOptions,
    historyRows: number,
    /** false: flag only; the reading thread explains (OnlineExplainer), with the models modelChange hands over. */
    private readonly explain = true,
    /** How the forest scores the rows (ForestHelper: over two threads) [this thread]. */
    scoring?: ForestScoring
  ) {
    super(columns, historyRows);
    this.detector = new OnlineDetector(columns, options, online, scoring);
    this.warmup = new SeriesBuffer(columns);
  }

  threshold(): number {
    return this.detector.threshold;
  }

  /** The models that started scoring in the last batch and were not handed over yet, for an OnlineExplainer. */
  modelChanges(): ModelHandover[] {
    const handovers: ModelHandover[] = [];
    for (const { fromRow, detector } of this.lastModels) {
      if (detector !== this.handedOver) {
        handovers.push({ fromRow, model: detector.toTransfer() });
        this.handedOver = detector;
      }
    }
    return handovers;
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const table = this.buffer.table(this.historyLength);
    const result = this.detector.push(table);
    this.keepWarmup(table, result.status);
    this.lastModels = result.models.map(({ from, detector }) => ({ fromRow: rows[from], detector }));
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i];
      if (result.status[i] === ONLINE_TRAINING) {
        out.status[row] = TRAINING;
        continue;
      }
      out.status[row] = SCORED;
      out.score[row] = result.scores[i];
      out.rawScore[row] = result.rawScores[i];
      result.columnScores?.forEach((scores, c) => (out.columnScores![c][row] = scores[i]));
      if (result.isAnomaly[i] === 1) {
        out.isAnomaly[row] = 1;
      }
    }
    if (this.explain) {
      explainFlagged(result.models, this.buffer, this.historyLength, this.historyRows, rows, out);
    }
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
    if (this.detector.detector !== undefined) {
      this.constantColumns = constantColumnsNotice(this.warmup.table());
      this.warmup = undefined;
    }
  }
}

/**
 * The reading thread's half of an OnlineChunkScorer whose explanations it makes: the same rows of history (the
 * same GroupScorer buffer, fed the same rows) and the model the scorer handed over. score() explains the rows the
 * scorer flagged in `out` (call it after the scorer filled `out` in).
 */
export class OnlineExplainer extends GroupScorer {
  /** The model that scored the last rows explained (kept for the next batch until a handover replaces it). */
  private model: AnomalyDetector | undefined;
  /** The batch's handovers (the scorer's modelChanges), for the next score(). */
  private handovers: ModelHandover[] = [];

  /** Takes over the models the scorer's batch started (its modelChanges), each from its first row on. */
  useModels(handovers: ModelHandover[]): void {
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
    explainFlagged(spans, this.buffer, this.historyLength, this.historyRows, rows, out);
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
    const anomalies: number[] = [];
    for (let i = from; i < to; i++) {
      if (out.isAnomaly[rows[i]] === 1 && historyLength + i >= historyRows) {
        anomalies.push(historyLength + i);
      }
    }
    explainBufferedRows(detector, buffer, anomalies).forEach((contributions, j) =>
      out.contributions.set(rows[anomalies[j] - historyLength], contributions)
    );
  });
}
