import type { SeriesTable } from '@telemetry-analyzer/engine';

export type TrainingProblem = { kind: 'not-enough-data' | 'constant'; message: string };

/** What the panel needs to judge rows before training: the engine's minimum and why (see requiredPoints). */
export interface TrainingCheck {
  count: number;
  reason: string;
  /** 'in the visible range' or 'in the training range'. */
  where: string;
  /**
   * The models train on the rows they score (the visible range): a cached model's rows are checked at every job too,
   * since they are its training rows. Not so for a model of a baseline, which scores whatever few or flat rows come.
   */
  trainsOnScoredRows: boolean;
}

/** What the panel says of a model without a single point in the visible range (the panel's title keys on it). */
export const NO_VISIBLE_DATA = 'No data in the visible range';

/** Whether a model can train on `table`: enough complete rows, not every column constant; says what is missing if not. */
export function checkTrainingTable(table: SeriesTable | undefined, check: TrainingCheck): TrainingProblem | undefined {
  if (!table || table.timestamps.length === 0) {
    // Not "0 points …; at least 19 are needed": there is nothing here at all (a browser review).
    return { kind: 'not-enough-data', message: `No data ${check.where} for this series` };
  }
  // Counted up to what is needed only: a refresh checks every model's rows again (a cached model of the visible range).
  const rows = countCompleteRows(table, check.count);
  if (rows < check.count) {
    const needed = `at least ${check.count} are needed: ${check.reason}`;
    if (table.columns.length === 1) {
      // Rows with a time but no number (all null, NaN or text): say so, not "0 points" of a field full of rows.
      const withoutValue = rows === 0 && table.timestamps.length > 0;
      return {
        kind: 'not-enough-data',
        message: withoutValue
          ? `${table.timestamps.length} rows ${check.where} but none with a numeric value (null, NaN or text); ${needed}`
          : `${rows} points ${check.where}; ${needed}`,
      };
    }
    // Several series: a row counts only where every one has a value. Say which falls short, or that they do not meet.
    const short = table.columns
      .map((c) => ({ name: c.name, points: c.values.reduce((n, v) => n + (Number.isFinite(v) ? 1 : 0), 0) }))
      .filter((c) => c.points < check.count)
      .map((c) => `${c.name} has ${c.points}`);
    const why = short.length > 0 ? short.join(', ') : 'the series do not have values at the same steps';
    return {
      kind: 'not-enough-data',
      message: `${rows} points ${check.where} where every series of the model has a value (${why}); ${needed}`,
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

/** Rows where every column has a value, counted up to `enough` (all by default). */
export function countCompleteRows(table: SeriesTable, enough = Infinity): number {
  let count = 0;
  for (let r = 0; r < table.timestamps.length && count < enough; r++) {
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
