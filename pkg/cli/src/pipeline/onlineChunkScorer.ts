/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to an OnlineDetector batch by batch (its results
 * do not depend on the batching), and come back with the calibrated score, the raw forest score, the flag, and for
 * anomalies the features that isolated them (from the model current at the end of the batch).
 *
 * With a scoring worker the explanations are made on the reading thread instead (OnlineExplainer), which is the
 * less busy one: the worker hands over the model whenever it changed (toTransfer: the compact trees, no copy per
 * tree), and the reading thread keeps the same rows of history as the worker, so the features, the model and hence
 * the contributions are the very same.
 */
import {
  AnomalyDetector,
  ONLINE_TRAINING,
  OnlineDetector,
  type DetectorOptions,
  type ForestScoring,
  type OnlineOptions,
  type SeriesBuffer,
  type TransferredDetector,
} from '@telemetry-analyzer/engine';
import { explainBufferedRows, GroupScorer } from './chunkScorer';
import { SCORED, TRAINING, type BatchScores } from './batchScores';

export class OnlineChunkScorer extends GroupScorer {
  readonly detector: OnlineDetector;
  /** The model last handed over by modelChange (explanations elsewhere), to hand over only a new one. */
  private handedOver: AnomalyDetector | undefined;

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
  }

  threshold(): number {
    return this.detector.threshold;
  }

  /** The current model if it is not the one handed over last time (then: undefined), for an OnlineExplainer. */
  modelChange(): TransferredDetector | undefined {
    const model = this.detector.detector;
    if (model === undefined || model === this.handedOver) {
      return undefined;
    }
    this.handedOver = model;
    return model.toTransfer();
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const result = this.detector.push(this.buffer.table(this.historyLength));
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
      explainFlagged(this.detector.detector, this.buffer, this.historyLength, this.historyRows, rows, out);
    }
  }
}

/**
 * The reading thread's half of an OnlineChunkScorer whose explanations it makes: the same rows of history (the
 * same GroupScorer buffer, fed the same rows) and the model the scorer handed over. score() explains the rows the
 * scorer flagged in `out` (call it after the scorer filled `out` in).
 */
export class OnlineExplainer extends GroupScorer {
  private model: AnomalyDetector | undefined;

  /** Takes over the scorer's model (its modelChange), for this batch and the next ones. */
  useModel(transfer: TransferredDetector): void {
    this.model = AnomalyDetector.fromTransfer(transfer);
  }

  threshold(): undefined {
    return undefined;
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    explainFlagged(this.model, this.buffer, this.historyLength, this.historyRows, rows, out);
  }
}

/**
 * Contributions of the flagged rows among the batch rows `rows` (buffered from `historyLength` on), by `model`. A
 * row with fewer than `historyRows` rows before it in the buffer is left out (possible with a tiny --warmup: it
 * lacks features).
 */
function explainFlagged(
  model: AnomalyDetector | undefined,
  buffer: SeriesBuffer,
  historyLength: number,
  historyRows: number,
  rows: Int32Array,
  out: BatchScores
): void {
  if (model === undefined) {
    return;
  }
  const anomalies: number[] = [];
  for (let i = 0; i < rows.length; i++) {
    if (out.isAnomaly[rows[i]] === 1 && historyLength + i >= historyRows) {
      anomalies.push(historyLength + i);
    }
  }
  explainBufferedRows(model, buffer, anomalies).forEach((contributions, k) =>
    out.contributions.set(rows[anomalies[k] - historyLength], contributions)
  );
}
