/**
 * Cell policy for metric values:
 * - an empty cell, `NaN`, `null` (any case), JSON null or an absent JSON key is a missing value: the row is kept
 *   in scores.csv with status `missing` and not scored;
 * - a decimal number (`12`, `-3.5`, `1e-3`) or a JSON number is a value;
 * - anything else (`abc`, `Infinity`, `1e999`, `0x10`, `true`) is an error with its line and column.
 */

export type CellValue = { kind: 'number'; value: number } | { kind: 'missing' } | { kind: 'invalid'; reason: string };

const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING_WORDS = new Set(['', 'nan', 'null']);
const MISSING: CellValue = { kind: 'missing' };

/**
 * The value of a cell that is a finite decimal number (or a JSON number) as written, without surrounding space;
 * NaN for every other cell, which parseMetricCell then classifies. The fast path of the row readers.
 */
export function plainNumber(cell: unknown): number {
  if (typeof cell === 'number') {
    return Number.isFinite(cell) ? cell : NaN;
  }
  if (typeof cell !== 'string' || !DECIMAL_PATTERN.test(cell)) {
    return NaN;
  }
  const value = Number(cell);
  return Number.isFinite(value) ? value : NaN;
}

export function parseMetricCell(cell: unknown): CellValue {
  if (cell === undefined || cell === null) {
    return MISSING;
  }
  if (typeof cell === 'number') {
    return Number.isFinite(cell) ? { kind: 'number', value: cell } : { kind: 'invalid', reason: 'is not finite' };
  }
  if (typeof cell !== 'string') {
    return { kind: 'invalid', reason: `${JSON.stringify(cell)} is not a number` };
  }
  const text = cell.trim();
  if (MISSING_WORDS.has(text.toLowerCase())) {
    return MISSING;
  }
  if (!DECIMAL_PATTERN.test(text)) {
    return /^[+-]?inf(inity)?$/i.test(text)
      ? {
          kind: 'invalid',
          reason: `"${text}" is not finite; only finite numbers are accepted (empty, NaN or null mark a missing value)`,
        }
      : { kind: 'invalid', reason: `"${text}" is not a number (empty, NaN or null mark a missing value)` };
  }
  const value = Number(text);
  return Number.isFinite(value)
    ? { kind: 'number', value }
    : { kind: 'invalid', reason: `"${text}" overflows to infinity` };
}

/** Text of a cell for messages and group names. */
export function cellText(cell: unknown): string {
  if (cell === undefined || cell === null) {
    return '';
  }
  return typeof cell === 'string' ? cell.trim() : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
}
