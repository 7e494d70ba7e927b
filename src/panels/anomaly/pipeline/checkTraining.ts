import type { SeriesTable } from '@telemetry-analyzer/engine';
import type { TrainingCheck } from '../worker/messages';

export type TrainingProblem = { kind: 'not-enough-data' | 'constant'; message: string };

/** Whether a model can train on `table`: enough complete rows, not every column constant; says what is missing if not. */
export function checkTrainingTable(table: SeriesTable | undefined, check: TrainingCheck): TrainingProblem | undefined {
  if (!table) {
    return { kind: 'not-enough-data', message: `No data ${check.where} for this series` };
  }
  const rows = countCompleteRows(table);
  if (rows < check.count) {
    return {
      kind: 'not-enough-data',
      message: `${rows} points ${check.where}; at least ${check.count} are needed: ${check.reason}`,
    };
  }
  // A constant column among others is trained on, as scikit-learn does (no tree splits on it); only a model whose
  // every column is constant has nothing to learn from.
  if (table.columns.every((c) => isConstant(c.values))) {
    const names = table.columns.map((c) => c.name).join(', ');
    return {
      kind: 'constant',
      message: `${names} ${table.columns.length === 1 ? 'does' : 'do'} not change ${check.where}: a constant series has no anomalies to find`,
    };
  }
  return undefined;
}

export function countCompleteRows(table: SeriesTable): number {
  let count = 0;
  for (let r = 0; r < table.timestamps.length; r++) {
    if (isComplete(table, r)) {
      count++;
    }
  }
  return count;
}

export function isComplete(table: SeriesTable, row: number): boolean {
  for (const c of table.columns) {
    if (!Number.isFinite(c.values[row])) {
      return false;
    }
  }
  return true;
}

function isConstant(values: Float64Array): boolean {
  let first = NaN;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      continue;
    }
    if (Number.isNaN(first)) {
      first = v;
    } else if (v !== first) {
      return false;
    }
  }
  return true;
}
