import { COPY_CHUNK_ROWS, SORT_STEP_ROWS, copySeriesData, sortSeries, sortSeriesSteps } from '../seriesData';

const f = (values: number[]) => Float64Array.from(values);

describe('copySeriesData (main thread, in steps)', () => {
  it('copies times and values into typed arrays, null and non-numbers as NaN, dates as epoch ms', async () => {
    const data = await copySeriesData([3, new Date(1), '1970-01-01T00:00:00.002Z'], [1, null, 'x'], () =>
      Promise.resolve()
    );
    expect(Array.from(data.times)).toEqual([3, 1, 2]);
    expect(Array.from(data.values)).toEqual([1, NaN, NaN]);
  });

  it('pauses between chunks of COPY_CHUNK_ROWS rows', async () => {
    let pauses = 0;
    const n = COPY_CHUNK_ROWS * 2 + 5;
    const times = Array.from({ length: n }, (_, i) => i);
    const data = await copySeriesData(times, times, async () => {
      pauses++;
    });
    expect(pauses).toBe(3);
    expect(data.values[n - 1]).toBe(n - 1);
  });
});

describe('sortSeries (worker, once per series)', () => {
  it('keeps an oldest-first series as it is, the newest of repeated times', () => {
    const s = sortSeries({ times: f([1, 2, 2, 3]), values: f([10, 20, 21, 30]) });
    expect(Array.from(s.timestamps)).toEqual([1, 2, 3]);
    expect(Array.from(s.values)).toEqual([10, 21, 30]);
  });

  it('reverses a newest-first (streaming) series, the newest of repeated times (the earlier row)', () => {
    const s = sortSeries({ times: f([3, 2, 2, 1]), values: f([30, 21, 20, 10]) });
    expect(Array.from(s.timestamps)).toEqual([1, 2, 3]);
    expect(Array.from(s.values)).toEqual([10, 21, 30]);
  });

  it('sorts a series in no order and drops rows without a finite time', () => {
    const s = sortSeries({ times: f([1, NaN, 3, 2, 1]), values: f([10, 99, 30, 20, 11]) });
    expect(Array.from(s.timestamps)).toEqual([1, 2, 3]);
    expect(Array.from(s.values)).toEqual([11, 20, 30]);
  });

  it('a strictly ascending series with finite times is its own sorted form (no copy)', () => {
    const times = f([1, 2, 3]);
    const values = f([10, NaN, 30]);
    const s = sortSeries({ times, values });
    expect(s.timestamps).toBe(times);
    expect(s.values).toBe(values);
    // An equal or an infinite time is not the common case: copied, as before.
    expect(sortSeries({ times: f([1, 2, 2]), values }).timestamps).not.toBe(times);
    expect(Array.from(sortSeries({ times: f([1, 2, Infinity]), values }).timestamps)).toEqual([1, 2]);
  });

  it('sorts in steps of SORT_STEP_ROWS rows (a pass to check the order, one to copy), with the same result', () => {
    const n = SORT_STEP_ROWS * 2 + 3;
    // Newest first, with one repeated time: the newest row (the earlier one) is kept.
    const times = Float64Array.from({ length: n }, (_, i) => n - i + (i === n - 1 ? 1 : 0));
    const values = Float64Array.from({ length: n }, (_, i) => i);
    const steps = sortSeriesSteps({ times, values });
    let count = 0;
    let step = steps.next();
    for (; !step.done; step = steps.next()) {
      count++;
    }
    // One step finds the series is not strictly ascending (its first row already), then 3 + 1 + 3.
    expect(count).toBe(1 + 3 + 1 + 3);
    expect(step.value).toEqual(sortSeries({ times, values }));
    expect(step.value.timestamps.length).toBe(n - 1);
    expect(step.value.values[0]).toBe(n - 2);
  });
});

describe('copySeriesData keeping a time range', () => {
  it('gives rows outside it the time NaN (the worker drops them) and counts them; rows without a time are not counted', async () => {
    const times = [1000, 2000, 3000, 4000, 'not a time', 6000];
    const values = [1, 2, 3, 4, 5, 6];
    const copied = await copySeriesData(times, values, async () => undefined, undefined, { fromMs: 2000, toMs: 4000 });
    expect(Array.from(copied.times)).toEqual([NaN, 2000, 3000, 4000, NaN, NaN]);
    expect(Array.from(copied.values)).toEqual(values);
    expect(copied.outside).toBe(2);
  });

  it("does not count a row without a value (a joined frame's null) as a point outside", async () => {
    const copied = await copySeriesData([1000, 5000, 6000], [null, 2, null], async () => undefined, undefined, {
      fromMs: 2000,
      toMs: 4000,
    });
    expect(copied.outside).toBe(1);
  });

  it('keeps every row without a range', async () => {
    const copied = await copySeriesData([1, 2], [3, 4], async () => undefined);
    expect(Array.from(copied.times)).toEqual([1, 2]);
    expect(copied.outside).toBe(0);
  });
});
