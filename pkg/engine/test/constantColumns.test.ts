import { constantColumns } from '../src/constantColumns';

const table = (columns: Record<string, number[]>) => ({
  timestamps: Float64Array.from(Object.values(columns)[0], (_, i) => i * 1000),
  columns: Object.entries(columns).map(([name, values]) => ({ name, values: Float64Array.from(values) })),
});

describe('constantColumns', () => {
  it('names the columns whose values are all equal, ignoring missing values', () => {
    expect(constantColumns(table({ a: [1, 1, 1], b: [1, 2, 1], c: [NaN, 0, 0] }))).toEqual(['a', 'c']);
  });

  it('does not call a column constant on fewer than two values', () => {
    expect(constantColumns(table({ a: [NaN, 4, NaN], b: [NaN, NaN, NaN] }))).toEqual([]);
  });
});
