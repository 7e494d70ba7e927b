/**
 * Cell policy for metric values:
 * - an empty cell, `NaN`, `null` (any case), JSON null or an absent JSON key is a missing value: the row is kept
 *   in scores.csv with status `missing` and not scored;
 * - a decimal number (`12`, `-3.5`, `1e-3`) or a JSON number is a value, if within the float32 range the forest
 *   works in (as the engine requires: a larger one is refused here, at its cell, instead of failing training);
 * - anything else (`abc`, `Infinity`, `1e999`, `1e39`, `0x10`, `true`) is an error with its line and column.
 */
import { FLOAT32_MAX, float32RangeProblem } from '@telemetry-analyzer/engine';

export type CellValue =
  | { kind: 'number'; value: number }
  | { kind: 'missing' }
  /** `number`: the cell is written as a number, but one that cannot be used (beyond the float32 range). */
  | { kind: 'invalid'; reason: string; number?: true };

/** Whether `value` is a number the engine takes: finite and within the float32 range (the engine's check). */
function inFloat32Range(value: number): boolean {
  return Number.isFinite(value) && float32RangeProblem(value) === undefined;
}

function outOfRange(text: string, value: number): CellValue {
  return Number.isFinite(value)
    ? { kind: 'invalid', reason: `"${text}" is ${float32RangeProblem(value)}`, number: true }
    : { kind: 'invalid', reason: `"${text}" overflows to infinity`, number: true };
}

const DECIMAL_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const MISSING_WORDS = new Set(['', 'nan', 'null']);
const MISSING: CellValue = { kind: 'missing' };

/**
 * The value of a cell that is a decimal number (or a JSON number) within the float32 range as written, without
 * surrounding space; NaN for every other cell, which parseMetricCell then classifies. The fast path of the row
 * readers.
 */
export function plainNumber(cell: unknown): number {
  if (typeof cell === 'number') {
    return inFloat32Range(cell) ? cell : NaN;
  }
  if (typeof cell !== 'string' || !DECIMAL_PATTERN.test(cell)) {
    return NaN;
  }
  const value = Number(cell);
  return inFloat32Range(value) ? value : NaN;
}

export function parseMetricCell(cell: unknown): CellValue {
  if (cell === undefined || cell === null) {
    return MISSING;
  }
  if (typeof cell === 'number') {
    if (inFloat32Range(cell)) {
      return { kind: 'number', value: cell };
    }
    // JSON has no infinity: a number JSON.parse made infinite was written beyond the double range (1e400).
    return Number.isFinite(cell)
      ? outOfRange(String(cell), cell)
      : {
          kind: 'invalid',
          // (Its text is gone once parsed: the message says what it was instead of quoting it, as CSV's does.)
          reason: `a number written beyond the double range (±1.8e308) overflows to infinity; it must fit float32 (±${FLOAT32_MAX.toPrecision(5)})`,
          number: true,
        };
  }
  if (typeof cell !== 'string') {
    return { kind: 'invalid', reason: `${jsonText(cell)} is not a number` };
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
  return inFloat32Range(value) ? { kind: 'number', value } : outOfRange(text, value);
}

/** Text of a cell for messages and group names. */
export function cellText(cell: unknown): string {
  if (cell === undefined || cell === null) {
    return '';
  }
  return typeof cell === 'string' ? cell.trim() : typeof cell === 'object' ? jsonText(cell) : String(cell);
}

/**
 * A JSON value as JSON text. JSON.parse takes nestings deeper than JSON.stringify can write back (a review: an
 * NDJSON line nested 5 000 deep ended `stream` with "Maximum call stack size exceeded"): those are named instead.
 */
function jsonText(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (error) {
    if (error instanceof RangeError) {
      return Array.isArray(value) ? '[an array nested too deep to show]' : '{an object nested too deep to show}';
    }
    throw error;
  }
}
