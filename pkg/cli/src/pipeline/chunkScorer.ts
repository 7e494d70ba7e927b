/**
 * Scores one group's rows batch by batch with bounded memory. Every batch is scored together with the last
 * `historyRows` rows before it, so each row sees the same lags and rolling windows as in one big table and chunked
 * scores equal unchunked ones (historyRows = window + lags covers the engine's warm-up of max(lags, 1, window - 1)).
 */
import {
  perSeriesRow,
  SeriesBuffer,
  type AnomalyDetector,
  type FeatureContribution,
  type ForestScoring,
  type ScoreResult,
} from '@telemetry-analyzer/engine';
import type { RowBatch } from '../input/rowBatch';
import { SCORED, UNTRAINED, WARM_UP, type BatchScores } from './batchScores';

/** Contributing features reported per anomaly. */
export const TOP_FEATURES = 3;

/**
 * A group's rows, kept after the last `historyRows` rows of earlier batches (the history their lags and rolling
 * windows need), so that scoring in batches gives what scoring everything at once gives.
 */
export abstract class GroupScorer {
  protected readonly buffer: SeriesBuffer;
  /** Rows of `buffer` before this index are history from the previous batch (already scored). */
  protected historyLength = 0;

  constructor(
    columns: string[],
    protected readonly historyRows: number
  ) {
    this.buffer = new SeriesBuffer(columns);
  }

  /**
   * Scores the group's rows `rows` (indexes into `batch`, in order: complete rows, or per series rows with some
   * metric) and fills in their status, score, flag and (for anomalies) contributions in `out`.
   */
  score(batch: RowBatch, rows: Int32Array, out: BatchScores): void {
    if (rows.length === 0) {
      return;
    }
    this.buffer.pushRows(batch.orderMs, batch.values, rows);
    this.scoreNewRows(rows, out);
    // Per series, rows may miss some metrics: each metric keeps `historyRows` values of its own.
    this.buffer.keepLast(this.buffer.rowsHoldingLast(this.historyRows));
    this.historyLength = this.buffer.length;
  }

  /** The threshold the rows were flagged against (undefined if nothing was scored). */
  abstract threshold(): number | Record<string, number> | undefined;

  /** Scores the buffer's rows from `historyLength` on, which are the batch rows `rows`. */
  protected abstract scoreNewRows(rows: Int32Array, out: BatchScores): void;
}

/** A group without a model (too few rows to train one): its rows are marked, not scored. */
export class UntrainedScorer extends GroupScorer {
  constructor(columns: string[]) {
    super(columns, 0);
  }

  threshold(): undefined {
    return undefined;
  }

  override score(_batch: RowBatch, rows: Int32Array, out: BatchScores): void {
    for (const row of rows) {
      out.status[row] = UNTRAINED;
    }
  }

  protected scoreNewRows(): void {}
}

export class ChunkScorer extends GroupScorer {
  /** Threshold(s) of the last scoring: one number, or per column in per-column mode. */
  private lastThreshold?: number | Record<string, number>;

  constructor(
    private readonly detector: AnomalyDetector,
    historyRows: number,
    /** How the forest scores the rows [anomalyScores] */
    private readonly scoring?: ForestScoring
  ) {
    super(detector.columns, historyRows);
  }

  threshold(): number | Record<string, number> | undefined {
    return this.lastThreshold;
  }

  protected scoreNewRows(rows: Int32Array, out: BatchScores): void {
    const results = this.detector.score(this.buffer.table(), this.scoring);
    rows.forEach((row) => (out.status[row] = WARM_UP));
    const multivariate = results.length === 1 && results[0].column === undefined;
    this.lastThreshold = multivariate
      ? results[0].threshold
      : Object.fromEntries(results.map((result) => [result.column ?? '', result.threshold]));
    if (multivariate) {
      this.applyMultivariate(results[0], rows, out);
    } else {
      this.applyPerColumn(results, rows, out);
    }
  }

  private applyMultivariate(result: ScoreResult, rows: Int32Array, out: BatchScores): void {
    const anomalies: number[] = [];
    for (let i = 0; i < result.rowIndex.length; i++) {
      const tableRow = result.rowIndex[i];
      if (tableRow < this.historyLength) {
        continue;
      }
      const row = rows[tableRow - this.historyLength];
      out.status[row] = SCORED;
      out.score[row] = result.scores[i];
      if (result.isAnomaly[i] === 1) {
        out.isAnomaly[row] = 1;
        anomalies.push(tableRow);
      }
    }
    this.explain(anomalies, rows, out);
  }

  /** Per-column mode: each row's result from its columns' (perSeriesRow), as `stream --model` reports it. */
  private applyPerColumn(results: ScoreResult[], rows: Int32Array, out: BatchScores): void {
    // Per column, by position in `rows`: whether its model flags the row (scores go to out.columnScores).
    const flags = results.map(() => new Uint8Array(rows.length));
    const scored = new Uint8Array(rows.length);
    results.forEach((result, c) => {
      for (let i = 0; i < result.rowIndex.length; i++) {
        const k = result.rowIndex[i] - this.historyLength;
        if (k < 0) {
          continue;
        }
        out.columnScores![c][rows[k]] = result.scores[i];
        flags[c][k] = result.isAnomaly[i];
        scored[k] = 1;
      }
    });
    // Per column, the anomalies it explains (as table rows).
    const explained = results.map((): number[] => []);
    for (let k = 0; k < rows.length; k++) {
      if (scored[k] === 0) {
        continue;
      }
      const row = rows[k];
      const combined = perSeriesRow(
        results.length,
        (c) => out.columnScores![c][row],
        (c) => flags[c][k] === 1
      );
      out.status[row] = SCORED;
      out.score[row] = combined.score;
      if (combined.isAnomaly) {
        out.isAnomaly[row] = 1;
        explained[combined.explainedBy].push(k + this.historyLength);
      }
    }
    results.forEach((result, c) => this.explain(explained[c], rows, out, result.column));
  }

  private explain(tableRows: number[], rows: Int32Array, out: BatchScores, column?: string): void {
    explainBufferedRows(this.detector, this.buffer, tableRows, column).forEach((contributions, k) =>
      out.contributions.set(rows[tableRows[k] - this.historyLength], contributions)
    );
  }
}

/** Top features of buffered rows (table rows of the whole buffer), features built once for all of them. */
export function explainBufferedRows(
  detector: AnomalyDetector,
  buffer: SeriesBuffer,
  tableRows: number[],
  column?: string
): FeatureContribution[][] {
  return tableRows.length === 0 ? [] : detector.explainRows(buffer.table(), tableRows, TOP_FEATURES, column);
}
