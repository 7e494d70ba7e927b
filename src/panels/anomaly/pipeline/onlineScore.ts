import { type DetectorOptions, OnlineDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { isComplete } from './checkTraining';
import { SCORE_CHUNK_ROWS, type Scored } from './chunkedScore';

/** Without a training range of its own, online mode warms up on this share of the visible rows. */
export const VISIBLE_WARMUP_SHARE = 0.3;

/**
 * The panel's online mode: the engine's OnlineDetector over the training rows (those before the visible range)
 * followed by the visible rows, as an `online=true` alert rule and `detect --online` score them. The rows before
 * `warmupEndMs` (the training window's end, model/trainingPlan.ts; by default every training row) warm the detector
 * up; without a training range, the first VISIBLE_WARMUP_SHARE of the visible rows do. Every
 * visible row after the warm-up is scored from the rows before it, with a calibrated score (docs/detection.md).
 * Rows go in SCORE_CHUNK_ROWS at a time with a pause between (the results do not depend on the chunking).
 * @returns the scored visible rows (`flags`: the detector's own flags) and the model current at the end
 */
export async function scoreOnline(
  table: SeriesTable,
  training: SeriesTable | undefined,
  options: DetectorOptions,
  pause: () => Promise<void>,
  warmupEndMs?: number
): Promise<{ scored: Scored & { flags: Uint8Array }; detector: OnlineDetector }> {
  const firstVisible = table.timestamps.length > 0 ? table.timestamps[0] : Infinity;
  const before = training ? completeRows(training, (t) => t < firstVisible) : [];
  const visible = completeRows(table, () => true);
  const warmup = !training
    ? Math.ceil(VISIBLE_WARMUP_SHARE * visible.length)
    : warmupEndMs === undefined
      ? before.length
      : countBefore(training, before, warmupEndMs) + countBefore(table, visible, warmupEndMs);
  const detector = new OnlineDetector(
    table.columns.map((c) => c.name),
    options,
    { warmup: Math.max(1, warmup) }
  );
  const rows = [
    ...before.map((row) => ({ source: training!, row })),
    ...visible.map((row) => ({ source: table, row })),
  ];
  const scores: number[] = [];
  const flags: number[] = [];
  const scoredRows: number[] = [];
  for (let start = 0; start < rows.length; start += SCORE_CHUNK_ROWS) {
    const chunk = rows.slice(start, start + SCORE_CHUNK_ROWS);
    const result = detector.push({
      timestamps: Float64Array.from(chunk, ({ source, row }) => source.timestamps[row]),
      columns: table.columns.map((column, c) => ({
        name: column.name,
        values: Float64Array.from(chunk, ({ source, row }) => source.columns[c].values[row]),
      })),
    });
    chunk.forEach(({ source, row }, i) => {
      if (source === table && !Number.isNaN(result.scores[i])) {
        scoredRows.push(row);
        scores.push(result.scores[i]);
        flags.push(result.isAnomaly[i]);
      }
    });
    await pause();
  }
  return {
    scored: {
      rows: Int32Array.from(scoredRows),
      scores: Float64Array.from(scores),
      threshold: detector.threshold,
      flags: Uint8Array.from(flags),
    },
    detector,
  };
}

/**
 * The rows that warm online mode up without a training range: the visible rows up to the VISIBLE_WARMUP_SHARE of
 * its complete rows that scoreOnline warms up on, for the panel's check to judge (and name) before the engine would.
 */
export function visibleWarmupTable(table: SeriesTable): SeriesTable {
  const visible = completeRows(table, () => true);
  const warmup = Math.max(1, Math.ceil(VISIBLE_WARMUP_SHARE * visible.length));
  const end = warmup <= visible.length ? visible[warmup - 1] + 1 : table.timestamps.length;
  return {
    timestamps: table.timestamps.subarray(0, end),
    columns: table.columns.map((c) => ({ name: c.name, values: c.values.subarray(0, end) })),
  };
}

/** How many of `rows` (ascending in time) lie before `endMs`. */
function countBefore(table: SeriesTable, rows: number[], endMs: number): number {
  let n = 0;
  while (n < rows.length && table.timestamps[rows[n]] < endMs) {
    n++;
  }
  return n;
}

/** Indices of the rows with every value present whose time passes `keep`. */
function completeRows(table: SeriesTable, keep: (time: number) => boolean): number[] {
  const rows: number[] = [];
  for (let row = 0; row < table.timestamps.length; row++) {
    if (keep(table.timestamps[row]) && isComplete(table, row)) {
      rows.push(row);
    }
  }
  return rows;
}
