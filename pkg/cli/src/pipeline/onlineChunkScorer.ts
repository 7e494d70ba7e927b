/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to an OnlineDetector batch by batch (its results
 * do not depend on the batching), and come back with the calibrated score, the raw forest score, the flag, and for
 * anomalies the features that isolated them (from the model current at the end of the batch).
 */
import { ONLINE_TRAINING, OnlineDetector, type DetectorOptions, type OnlineOptions } from '@telemetry-analyzer/engine';
import { explainBufferedRows, GroupScorer } from './chunkScorer';
import { SCORED, TRAINING, type BatchScores } from './batchScores';

export class OnlineChunkScorer extends GroupScorer {
  readonly detector: OnlineDetector;

  constructor(columns: string[], options: DetectorOptions, online: OnlineOptions, historyRows: number) {
    super(columns, historyRows);
    this.detector = new OnlineDetector(columns, options, online);
  }

  threshold(): number {
    return this.detector.threshold;
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const result = this.detector.push(this.buffer.table(this.historyLength));
    const anomalies: number[] = [];
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
        if (this.historyLength + i >= this.historyRows) {
          anomalies.push(this.historyLength + i); // (a row before that, possible with a tiny --warmup, lacks features)
        }
      }
    }
    const model = this.detector.detector;
    if (model !== undefined) {
      explainBufferedRows(model, this.buffer, anomalies).forEach((contributions, k) =>
        out.contributions.set(rows[anomalies[k] - this.historyLength], contributions)
      );
    }
  }
}
