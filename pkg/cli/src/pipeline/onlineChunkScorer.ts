/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to an OnlineDetector in chunks (its results do not
 * depend on the chunking), and come back with the calibrated score, the raw forest score, the flag, and for
 * anomalies the features that isolated them (from the model current at the end of the chunk).
 */
import { ONLINE_TRAINING, OnlineDetector, type DetectorOptions, type OnlineOptions } from '@telemetry-analyzer/engine';
import { explainBufferedRow, QueuedRows } from './chunkScorer';
import type { ScoredRow } from './scoredRow';

export class OnlineChunkScorer extends QueuedRows {
  readonly detector: OnlineDetector;

  constructor(columns: string[], options: DetectorOptions, online: OnlineOptions, historyRows: number) {
    super(columns, historyRows);
    this.detector = new OnlineDetector(columns, options, online);
  }

  flush(): void {
    if (this.pending.length === 0) {
      return;
    }
    const result = this.detector.push(this.buffer.table(this.historyLength));
    const model = this.detector.detector;
    this.pending.forEach((row, i) => {
      if (result.status[i] === ONLINE_TRAINING) {
        row.status = 'training';
        return;
      }
      row.status = 'scored';
      row.score = result.scores[i];
      row.rawScore = result.rawScores[i];
      row.isAnomaly = result.isAnomaly[i] === 1;
      if (result.columnScores) {
        row.columnScores = Float64Array.from(result.columnScores, (scores) => scores[i]);
      }
      if (row.isAnomaly && model !== undefined) {
        row.contributions = explainBufferedRow(model, this.buffer, this.historyLength + i, this.historyRows);
      }
    });
    this.endChunk();
  }

  threshold(): number {
    return this.detector.threshold;
  }
}
