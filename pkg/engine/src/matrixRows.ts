import type { FeatureMatrix } from './types';

/** Rows [from, to) of a feature matrix, as a view of its values (no copy). */
export function matrixRows(matrix: FeatureMatrix, from: number, to: number): FeatureMatrix {
  return { rows: to - from, cols: matrix.cols, values: matrix.values.subarray(from * matrix.cols, to * matrix.cols) };
}
