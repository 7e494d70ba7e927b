import type { SeriesTable } from '@telemetry-analyzer/engine';
import { sameRows } from '../sameRows';

function table(values: number[], names = ['cpu'], start = 0): SeriesTable {
  return {
    timestamps: Float64Array.from(values, (_, i) => start + i * 60_000),
    columns: names.map((name, c) => ({ name, values: Float64Array.from(values, (v) => v + c) })),
  };
}

describe('sameRows', () => {
  it('is true for the same table and for equal copies, missing values included', () => {
    const one = table([1, NaN, 3]);
    expect(sameRows(one, one)).toBe(true);
    expect(sameRows(table([1, NaN, 3], ['cpu', 'mem']), table([1, NaN, 3], ['cpu', 'mem']))).toBe(true);
  });

  it('is false when a value, a timestamp, a column name, the column order or the length differs', () => {
    const base = table([1, 2, 3], ['cpu', 'mem']);
    expect(sameRows(base, table([1, 2, 4], ['cpu', 'mem']))).toBe(false);
    expect(sameRows(base, table([1, 2, NaN], ['cpu', 'mem']))).toBe(false);
    expect(sameRows(base, table([1, 2, 3], ['cpu', 'mem'], 1))).toBe(false);
    expect(sameRows(base, table([1, 2, 3], ['cpu', 'disk']))).toBe(false);
    expect(sameRows(base, { ...base, columns: [...base.columns].reverse() })).toBe(false);
    expect(sameRows(base, table([1, 2, 3], ['cpu']))).toBe(false);
    expect(sameRows(base, table([1, 2, 3, 4], ['cpu', 'mem']))).toBe(false);
  });
});
