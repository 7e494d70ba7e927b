import type { SeriesTable } from '@telemetry-analyzer/engine';
import { MIN_COMMON_ROWS, MIN_DIFFERING_ROWS, REVISABLE_TAIL_SHARE, replacedData } from '../replacedData';

/** A one-column table at minutes `from..from+n-1` with values value(minute). */
function table(from: number, n: number, value: (minute: number) => number): SeriesTable {
  const minutes = Array.from({ length: n }, (_, i) => from + i);
  return {
    timestamps: Float64Array.from(minutes, (m) => m * 60_000),
    columns: [{ name: 'cpu', values: Float64Array.from(minutes, value) }],
  };
}

const wave = (m: number) => 50 + 10 * Math.sin(m / 7);

describe('replacedData', () => {
  it('is false for a refresh: the range moved on, the shared rows unchanged, the last ones revised', () => {
    const previous = table(0, 100, wave);
    expect(replacedData(previous, table(1, 100, wave))).toBe(false);
    expect(replacedData(previous, table(5, 100, wave))).toBe(false);
    // The previous answer's last rows (a twentieth: samples written late) answered again with more samples.
    const tail = 100 * REVISABLE_TAIL_SHARE;
    const late = (m: number) => (m >= 100 - tail ? wave(m) + 3 : wave(m));
    expect(replacedData(previous, table(1, 100, late))).toBe(false);
    // The same with the range moved far on: the revised rows would be a quarter of the few shared ones.
    expect(replacedData(previous, table(100 - MIN_COMMON_ROWS - tail, 100, late))).toBe(false);
    // NaN (a gap) in both is the same row.
    const gap = (m: number) => (m === 40 ? NaN : wave(m));
    expect(replacedData(table(0, 100, gap), table(1, 100, gap))).toBe(false);
  });

  it('is true when the same timestamps hold other values (another host behind the same labels, an edited query)', () => {
    const previous = table(0, 100, wave);
    expect(
      replacedData(
        previous,
        table(0, 100, (m) => wave(m) - 20)
      )
    ).toBe(true);
    expect(
      replacedData(
        previous,
        table(3, 100, (m) => wave(m) * 3 + 200)
      )
    ).toBe(true);
    // A series that became constant, or a quarter of its rows changed.
    expect(
      replacedData(
        previous,
        table(0, 100, () => 7)
      )
    ).toBe(true);
    expect(
      replacedData(
        previous,
        table(0, 100, (m) => (m < 25 ? wave(m) + 1 : wave(m)))
      )
    ).toBe(true);
  });

  it('is false when too few rows differ or too few are shared to tell', () => {
    const previous = table(0, 100, wave);
    expect(
      replacedData(
        previous,
        table(0, 100, (m) => (m < MIN_DIFFERING_ROWS - 1 ? 0 : wave(m)))
      )
    ).toBe(false);
    expect(
      replacedData(
        previous,
        table(0, 100, (m) => (m < 20 ? 0 : wave(m)))
      )
    ).toBe(false); // a fifth
    // No shared timestamps (another step), or too few: nothing to compare.
    expect(
      replacedData(
        previous,
        table(1000, 100, () => 0)
      )
    ).toBe(false);
    expect(
      replacedData(
        previous,
        table(100 - MIN_COMMON_ROWS, 100, () => 0)
      )
    ).toBe(false);
  });

  it('samples a long table evenly: a quarter replaced anywhere is still seen, a refresh still is not', () => {
    const previous = table(0, 50_000, wave);
    expect(replacedData(previous, table(1, 50_000, wave))).toBe(false);
    expect(
      replacedData(
        previous,
        table(0, 50_000, (m) => (m > 30_000 && m < 43_000 ? wave(m) + 1 : wave(m)))
      )
    ).toBe(true);
    expect(
      replacedData(
        previous,
        table(0, 50_000, (m) => (m % 3 === 0 ? wave(m) + 1 : wave(m)))
      )
    ).toBe(true);
  });
});
