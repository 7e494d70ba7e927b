import type { FeatureMatrix } from './types';

/**
 * Time features describe when, not what. A model whose metric features are all constant over its training rows (a
 * counter that stayed 0, a key held, a sensor stuck during the warm-up) could split on the time of day only, and
 * would score the hour rather than the metric: an online run on such a warm-up flagged the same minutes every day,
 * whatever the values did. Such a model's time features are set to 0 in its training matrix (before scaling), so
 * that no tree splits on anything and every row scores alike, whatever its time; the online score's trailing
 * deviation still sees the metric move, and a refit on rows that vary uses the time features again.
 * @param sourceColumn per matrix column, its metric column, -1 for a time feature (BuiltFeatures.sourceColumn)
 * @returns whether the time features were set to 0
 */
export function dropLoneTimeFeatures(matrix: FeatureMatrix, sourceColumn: Int32Array): boolean {
  const { rows, cols, values } = matrix;
  const timeColumns: number[] = [];
  for (let col = 0; col < cols; col++) {
    if (sourceColumn[col] < 0) {
      timeColumns.push(col);
    } else if (varies(values, rows, cols, col)) {
      return false;
    }
  }
  if (timeColumns.length === 0 || rows === 0) {
    return false;
  }
  for (let row = 0; row < rows; row++) {
    for (const col of timeColumns) {
      values[row * cols + col] = 0;
    }
  }
  return true;
}

/** Whether column `col` of the row-major matrix holds two different values. */
function varies(values: Float32Array, rows: number, cols: number, col: number): boolean {
  const first = values[col];
  for (let row = 1; row < rows; row++) {
    if (values[row * cols + col] !== first) {
      return true;
    }
  }
  return false;
}
