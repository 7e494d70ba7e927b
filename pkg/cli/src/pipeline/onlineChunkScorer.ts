/**
 * Online mode's counterpart of ChunkScorer: one group's rows go to an OnlineDetector in chunks (its results do not
 * depend on the chunking), and come back with the calibrated score, the raw forest score, the flag, and for
 * anomalies the features that isolated them (from the model current at the end of the chunk).
 */
import {
  ONLINE_TRAINING,
  OnlineDetector,
  SeriesBuffer,
  type DetectorOptions,
  type OnlineOptions,
} from '@telemetry-analyzer/engine';
import { explainBufferedRow } from './chunkScorer';
import type { ScoredRow } from './scoredRow';

export class OnlineChunkScorer {
  readonly detector: OnlineDetector;
  /** The pending rows after the last `historyRows` rows of earlier chunks (for explanations). */
  private readonly buffer: SeriesBuffer;
  private historyLength = 0;
  private pending: ScoredRow[] = [];

  constructor(
    columns: string[],
    options: DetectorOptions,
    online: OnlineOptions,
    private readonly historyRows: number
  ) {
    this.detector = new OnlineDetector(columns, options, online);
    this.buffer = new SeriesBuffer(columns);
  }

  /** Queues a complete row (no missing value) for the next flush. */
  add(row: ScoredRow): void {
    this.buffer.push(row.orderMs, row.values);
    this.pending.push(row);
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
    this.pending = [];
    this.buffer.keepLast(this.historyRows);
    this.historyLength = this.buffer.length;
  }

  threshold(): number {
    return this.detector.threshold;
  }
}
