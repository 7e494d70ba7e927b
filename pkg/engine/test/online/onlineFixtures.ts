// What the online stage tests share: a small forest, two columns of synthetic telemetry, and batches that cut the
// rows where online scoring has something to get right.
import type { SeriesTable } from '../../src/types';
import { syntheticTable } from '../syntheticTable';

export const forest = { nEstimators: 30, seed: 7, contamination: 0.01 };
export const columns = ['cpu', 'latency'];

export function table(rows: number): SeriesTable {
  return syntheticTable(rows, {
    cpu: { level: 50, amplitude: 10, noise: 4, seed: 1 },
    latency: { level: 200, amplitude: 5, noise: 30, seed: 2 },
  });
}

/**
 * Batches of table(3000) (from, to): with a warm-up of 400 rows and a refit every 500, the warm-up ends inside the
 * second batch, refits fall inside and between batches, and one batch has a single row.
 */
export const BATCHES = [
  [0, 350],
  [350, 1100],
  [1100, 1101],
  [1101, 1900],
  [1900, 3000],
];
