/**
 * Scores one group's rows in chunks with bounded memory. Every chunk is scored together with the last
 * `historyRows` rows before it, so each row sees the same lags and rolling windows as in one big table and chunked
 * scores equal unchunked ones (historyRows = window + lags covers the engine's warm-up of max(lags, 1, window - 1)).
 */
import {
  SeriesBuffer,
  type AnomalyDetector,
  type FeatureContribution,
  type ScoreResult,
} from '@telemetry-analyzer/engine';
import type { ScoredRow } from './scoredRow';

/** Contributing features reported per anomaly. */
export const TOP_FEATURES = 3;

/**
 * Rows queued for the next flush, kept after the last `historyRows` rows of earlier chunks (the history their lags
 * and rolling windows need), so that scoring in chunks gives what scoring everything at once gives.
 */
export abstract class QueuedRows {
  protected readonly buffer: SeriesBuffer;
  /** Rows of `buffer` before this index are history from the previous chunk (already scored). */
  protected historyLength = 0;
  protected pending: ScoredRow[] = [];

  constructor(
    columns: string[],
    protected readonly historyRows: number
  ) {
    this.buffer = new SeriesBuffer(columns);
  }

  /** Queues a complete row (no missing value) for the next flush. */
  add(row: ScoredRow): void {
    this.buffer.push(row.orderMs, row.values);
    this.pending.push(row);
  }

  /** Scores the queued rows and fills in their status, score, flag and (for anomalies) contributions. */
  abstract flush(): void;

  /** After a flush: the queue is empty and the last `historyRows` rows stay as the next chunk's history. */
  protected endChunk(): void {
    this.pending = [];
    this.buffer.keepLast(this.historyRows);
    this.historyLength = this.buffer.length;
  }
}

export class ChunkScorer extends QueuedRows {
  /** Threshold(s) of the last scoring: one number, or per column in per-column mode. */
  private lastThreshold?: number | Record<string, number>;

  constructor(
    private readonly detector: AnomalyDetector,
    historyRows: number
  ) {
    super(detector.columns, historyRows);
  }

  /** Scores the queued rows and fills in their status, score, flag and (for anomalies) contributions. */
  flush(): void {
    if (this.pending.length === 0) {
      return;
    }
    const table = this.buffer.table();
    const results = this.detector.score(table);
    for (const row of this.pending) {
      row.status = 'warm-up';
      row.score = NaN;
      row.isAnomaly = false;
    }
    this.lastThreshold =
      results.length === 1 && results[0].column === undefined
        ? results[0].threshold
        : Object.fromEntries(results.map((result) => [result.column ?? '', result.threshold]));
    if (results.length === 1 && results[0].column === undefined) {
      this.applyMultivariate(results[0]);
    } else {
      this.applyPerColumn(results);
    }
    this.endChunk();
  }

  /** The threshold the rows were flagged against (undefined if nothing was scored). */
  threshold(): number | Record<string, number> | undefined {
    return this.lastThreshold;
  }

  private applyMultivariate(result: ScoreResult): void {
    for (let i = 0; i < result.rowIndex.length; i++) {
      const row = this.pendingRow(result.rowIndex[i]);
      if (!row) {
        continue;
      }
      row.status = 'scored';
      row.score = result.scores[i];
      row.isAnomaly = result.isAnomaly[i] === 1;
      if (row.isAnomaly) {
        row.contributions = this.explainRow(result.rowIndex[i]);
      }
    }
  }

  /** Per-column mode: a row's score is its highest column score, flagged when any column flags it. */
  private applyPerColumn(results: ScoreResult[]): void {
    const strongest = new Map<ScoredRow, { result: ScoreResult; index: number }>();
    results.forEach((result, c) => {
      for (let i = 0; i < result.rowIndex.length; i++) {
        const row = this.pendingRow(result.rowIndex[i]);
        if (!row) {
          continue;
        }
        row.columnScores ??= new Float64Array(results.length).fill(NaN);
        row.columnScores[c] = result.scores[i];
        row.status = 'scored';
        if (!(row.score >= result.scores[i])) {
          row.score = result.scores[i];
        }
        if (result.isAnomaly[i] === 1) {
          row.isAnomaly = true;
          const best = strongest.get(row);
          if (!best || best.result.scores[best.index] < result.scores[i]) {
            strongest.set(row, { result, index: i });
          }
        }
      }
    });
    for (const [row, { result, index }] of strongest) {
      row.contributions = this.explainRow(result.rowIndex[index], result.column);
    }
  }

  private explainRow(tableRow: number, column?: string) {
    return explainBufferedRow(this.detector, this.buffer, tableRow, this.historyRows, column);
  }

  private pendingRow(tableRow: number): ScoredRow | undefined {
    return tableRow < this.historyLength ? undefined : this.pending[tableRow - this.historyLength];
  }
}

/**
 * Top features of one buffered row. The detector's explain() rebuilds the features of the table it is given, so
 * it gets just the row and its `historyRows` predecessors: cost per anomaly independent of the chunk size, and
 * the same explanation however the input was chunked.
 */
export function explainBufferedRow(
  detector: AnomalyDetector,
  buffer: SeriesBuffer,
  tableRow: number,
  historyRows: number,
  column?: string
): FeatureContribution[] {
  const from = Math.max(0, tableRow - historyRows);
  const window = buffer.table(from, tableRow + 1);
  const results = detector.score(window);
  const result = results.find((candidate) => candidate.column === column) ?? results[0];
  const last = result.rowIndex.length - 1;
  return detector.explain(window, result, last, TOP_FEATURES);
}
