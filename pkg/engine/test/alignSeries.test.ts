import { FILL_MAX_STEPS, alignOnStep, commonStep, medianStep, seriesStep } from '../src/alignSeries';

/** A series as the panel's sort (times increasing) or the proxy's upstream clients give it. */
function sortSeries({ times, values }: { times: Float64Array; values: Float64Array }) {
  return { timestamps: times, values };
}

const MIN = 60_000;

function series(start: number, step: number, count: number, value = (i: number) => i) {
  const times = Float64Array.from({ length: count }, (_, i) => start + i * step);
  return sortSeries({ times, values: Float64Array.from({ length: count }, (_, i) => value(i)) });
}

describe('alignOnStep', () => {
  it('joins a 1-min and a 7-min series offset by 30 s on the 7-min grid: every grid time has both', () => {
    const fine = series(0, MIN, 7 * 100 - 3); // minutes 0–696: grid times 0–693 min
    const coarse = series(30_000, 7 * MIN, 100, (i) => 1000 + i);
    const step = commonStep([fine, coarse], 15_000);
    expect(step).toBe(7 * MIN);
    const { table, alignment } = alignOnStep([fine, coarse], ['fine', 'coarse'], step);
    expect(table.timestamps.length).toBe(100);
    expect(Array.from(table.timestamps.slice(0, 2))).toEqual([0, 7 * MIN]);
    // Each grid time takes the nearest point: the fine series' own point on it, the coarse one 30 s later.
    expect(Array.from(table.columns[0].values.slice(0, 3))).toEqual([0, 7, 14]);
    expect(Array.from(table.columns[1].values.slice(0, 3))).toEqual([1000, 1001, 1002]);
    expect(table.columns.every((c) => c.values.every(Number.isFinite))).toBe(true);
    expect(alignment).toEqual({ stepMs: 7 * MIN, aligned: 200, dropped: 697 - 100, filled: 0, incomplete: 0 });
  });

  it('uses the query interval when it is coarser than the series', () => {
    expect(commonStep([series(0, MIN, 10), series(0, 2 * MIN, 10)], 5 * MIN)).toBe(5 * MIN);
    expect(medianStep(series(0, MIN, 10).timestamps)).toBe(MIN);
  });

  it(`fills gaps of up to ${FILL_MAX_STEPS} step with the previous value, leaves longer gaps missing`, () => {
    const a = sortSeries({
      times: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7].map((i) => i * MIN)),
      values: Float64Array.from([0, 1, 2, 3, 4, 5, 6, 7]),
    });
    // b misses minute 2 (one step: filled) and minutes 4–5 (two steps: missing).
    const b = sortSeries({
      times: Float64Array.from([0, 1, 3, 6, 7].map((i) => i * MIN + 5_000)),
      values: Float64Array.from([10, 11, 13, 16, 17]),
    });
    const { table, alignment } = alignOnStep([a, b], ['a', 'b'], MIN);
    expect(Array.from(table.columns[1].values)).toEqual([10, 11, 11, 13, NaN, NaN, 16, 17]);
    // Minutes 4 and 5 have no value of b: not scored, and counted as such.
    expect(alignment).toEqual({ stepMs: MIN, aligned: 13, dropped: 0, filled: 1, incomplete: 2 });
  });
});

describe('alignOnStep through an origin (the proxy: the grid its rows were fetched on)', () => {
  it('keeps the times of rows on that grid, and fills as on the epoch grid', () => {
    const origin = 1_700_000_017_000; // 17 s past a minute: not on the epoch's 1-minute grid
    const at = (i: number) => origin + i * MIN;
    const a = sortSeries({ times: Float64Array.from([0, 1, 2, 3].map(at)), values: Float64Array.of(1, 2, 3, 4) });
    const b = sortSeries({ times: Float64Array.from([0, 2, 3].map(at)), values: Float64Array.of(10, 30, Infinity) });
    const { table, alignment } = alignOnStep([a, b], ['a', 'b'], MIN, at(-5));
    expect(Array.from(table.timestamps)).toEqual([0, 1, 2, 3].map(at));
    // b's missed minute takes its previous value; a value that is not finite is missing, as the engine reads it.
    expect(Array.from(table.columns[1].values)).toEqual([10, 10, 30, NaN]);
    expect(alignment).toEqual({ stepMs: MIN, aligned: 7, dropped: 0, filled: 1, incomplete: 1 });
  });
});

describe('seriesStep', () => {
  it("is a series' own step in a frame joined from several series (null where it has no point)", () => {
    // Two 1-minute series 30 s apart, outer-joined into one frame: each has a value on every other row.
    const times = Float64Array.from({ length: 200 }, (_, i) => i * 30_000);
    const a = sortSeries({ times, values: Float64Array.from(times, (_, i) => (i % 2 === 0 ? i : NaN)) });
    const b = sortSeries({ times, values: Float64Array.from(times, (_, i) => (i % 2 === 1 ? i : NaN)) });
    expect(medianStep(a.timestamps)).toBe(30_000);
    expect([seriesStep(a), seriesStep(b)]).toEqual([MIN, MIN]);
    // And the common step of both: theirs, not the frame's.
    expect(commonStep([a, b])).toBe(MIN);
  });

  it('is the median step of a series with every value present', () => {
    expect(seriesStep(series(0, 5 * MIN, 50))).toBe(5 * MIN);
  });
});
