// Reproducible telemetry-like tables for the pipeline tests.
import { createRandom } from '../src/random';
import type { SeriesTable } from '../src/types';

export const MINUTE_MS = 60_000;
/** 2023-11-14T22:13:20Z: an arbitrary start, not aligned to a day. */
export const START_MS = 1_700_000_000_000;

/**
 * `rows` rows every `stepMs`, one column per entry of `columns`: `level + amplitude * sin(daily cycle) + noise`,
 * noise uniform in ±noise/2 from a seeded generator (seed per column), so every run gives the same table.
 */
export function syntheticTable(
  rows: number,
  columns: Record<string, { level: number; amplitude?: number; noise?: number; seed?: number }>,
  stepMs = MINUTE_MS
): SeriesTable {
  const timestamps = Float64Array.from({ length: rows }, (_, i) => START_MS + i * stepMs);
  return {
    timestamps,
    columns: Object.entries(columns).map(([name, { level, amplitude = 0, noise = 1, seed = 1 }]) => {
      const random = createRandom(seed);
      const values = Float64Array.from(timestamps, (t) => {
        const dayPhase = (2 * Math.PI * (t % 86_400_000)) / 86_400_000;
        return level + amplitude * Math.sin(dayPhase) + noise * (random.nextFloat() - 0.5);
      });
      return { name, values };
    }),
  };
}

/** The first `rows` rows of a table (copies, so tests can modify either). */
export function headRows(table: SeriesTable, rows: number): SeriesTable {
  return sliceRows(table, 0, rows);
}

export function sliceRows(table: SeriesTable, start: number, end: number): SeriesTable {
  return {
    timestamps: table.timestamps.slice(start, end),
    columns: table.columns.map(({ name, values }) => ({ name, values: values.slice(start, end) })),
  };
}
