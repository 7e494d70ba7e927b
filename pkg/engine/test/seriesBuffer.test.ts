import { SeriesBuffer } from '@telemetry-analyzer/engine';

function bufferOf(rows: Array<[number, number]>): SeriesBuffer {
  const buffer = new SeriesBuffer(['a', 'b'], 2);
  rows.forEach((values, i) => buffer.push(i * 1000, values));
  return buffer;
}

describe('SeriesBuffer.rowsHoldingLast (the history a per-column model keeps when rows miss some columns)', () => {
  test('rows with every column: as many rows as values asked for', () => {
    const buffer = bufferOf(Array.from({ length: 10 }, (_, i): [number, number] => [i, 10 * i]));
    expect(buffer.rowsHoldingLast(4)).toBe(4);
    expect(buffer.rowsHoldingLast(0)).toBe(0);
  });

  test('a column missing values reaches back until it holds that many of its own', () => {
    // Column b misses the last three rows: its last 2 values are in rows 5 and 6, five rows from the end.
    const buffer = bufferOf([
      [0, 0],
      [1, 1],
      [2, 2],
      [3, 3],
      [4, NaN],
      [5, 5],
      [6, 6],
      [7, NaN],
      [8, NaN],
      [9, NaN],
    ]);
    expect(buffer.rowsHoldingLast(2)).toBe(5);
    // Three values of b: rows 3, 5, 6 (row 4 is missing), seven rows from the end.
    expect(buffer.rowsHoldingLast(3)).toBe(7);
    // Then kept, the buffer still holds them.
    buffer.keepLast(buffer.rowsHoldingLast(3));
    expect(Array.from(buffer.table().columns[1].values).filter((v) => !Number.isNaN(v))).toEqual([3, 5, 6]);
  });

  test('a column with fewer values than asked for keeps every row', () => {
    const buffer = bufferOf([
      [0, NaN],
      [1, 1],
      [2, NaN],
    ]);
    expect(buffer.rowsHoldingLast(2)).toBe(3);
    expect(buffer.rowsHoldingLast(10)).toBe(3);
  });
});
