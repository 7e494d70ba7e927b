import { markAnomalies } from '../../render/anomalyMarks';
import {
  columnBounds,
  columnOf,
  decimateMarks,
  decimateMinMax,
  loneTimeIn,
  mergeRegions,
  slotTimes,
} from '../decimate';

/** A deterministic noisy series with spikes. */
function noisy(n: number) {
  let state = 3;
  const times = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    state = (state * 1664525 + 1013904223) % 4294967296;
    times[i] = i * 1000;
    values[i] = state / 4294967296 + (i % 997 === 0 ? 50 : 0) - (i % 1201 === 0 ? 50 : 0);
  }
  return { times, values };
}

describe('pixel-column decimation', () => {
  const n = 100_000;
  const { times, values } = noisy(n);
  const grid = { fromMs: 0, toMs: (n - 1) * 1000, columns: 300 };

  it('sizes everything to the pixel width: two slots per column', () => {
    expect(slotTimes(grid)).toHaveLength(600);
    expect(decimateMinMax(grid, times, values)).toHaveLength(600);
  });

  it('keeps the min and the max of every column (spikes and dips survive)', () => {
    const line = decimateMinMax(grid, times, values);
    const expected = Array.from({ length: grid.columns }, () => ({ min: Infinity, max: -Infinity }));
    times.forEach((t, i) => {
      const c = columnOf(grid, t);
      expected[c].min = Math.min(expected[c].min, values[i]);
      expected[c].max = Math.max(expected[c].max, values[i]);
    });
    expected.forEach(({ min, max }, c) => {
      const pair = [line[2 * c], line[2 * c + 1]];
      expect(Math.min(...pair)).toBe(min);
      expect(Math.max(...pair)).toBe(max);
    });
  });

  it('keeps every anomaly: each column with marked points has a mark, and the count is all of them', () => {
    const marked = new Uint8Array(n);
    for (let i = 0; i < n; i += 37) {
      marked[i] = 1;
    }
    const marks = decimateMarks(grid, times, values, marked);
    expect(marks.count).toBe(Math.ceil(n / 37));
    const columnsWithAnomalies = new Set<number>();
    marked.forEach((m, i) => m && columnsWithAnomalies.add(columnOf(grid, times[i])));
    for (let c = 0; c < grid.columns; c++) {
      const hasMark = !Number.isNaN(marks.y[2 * c]) || !Number.isNaN(marks.y[2 * c + 1]);
      expect(hasMark).toBe(columnsWithAnomalies.has(c));
    }
    // A mark is a marked point's own value and time.
    for (let s = 0; s < marks.y.length; s++) {
      if (!Number.isNaN(marks.y[s])) {
        const row = marks.t[s] / 1000;
        expect(marked[row]).toBe(1);
        expect(values[row]).toBe(marks.y[s]);
      }
    }
  });

  it("marks from markAnomalies' runs only are the same, byte for byte, as from every row", () => {
    // Anomalies in runs of 1-5 rows, NaN values among them, rows outside a narrower grid, several mark rules.
    const isAnomaly = new Uint8Array(n);
    const withGaps = Float64Array.from(values, (v, i) => (i % 389 === 0 ? NaN : v));
    for (let i = 0; i < n; i += 23 + (i % 7)) {
      isAnomaly.fill(1, i, Math.min(n, i + 1 + (i % 5)));
    }
    const bytes = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const grids = [grid, { fromMs: 12_345_678, toMs: 87_654_321, columns: 997 }, { fromMs: 0, toMs: 50, columns: 7 }];
    for (const rules of [
      { minConsecutive: 1, direction: 'both' as const },
      { minConsecutive: 3, direction: 'both' as const },
      { minConsecutive: 2, direction: 'above' as const },
    ]) {
      const rollingMean = new Float64Array(n).fill(0.5);
      const { marked, regions } = markAnomalies({ times, values: withGaps, rollingMean, isAnomaly }, rules);
      expect(regions.length).toBeGreaterThan(100);
      for (const g of grids) {
        const all = decimateMarks(g, times, withGaps, marked);
        const fromRuns = decimateMarks(g, times, withGaps, marked, regions);
        expect(fromRuns.count).toBe(all.count);
        expect(bytes(fromRuns.y)).toEqual(bytes(all.y));
        expect(bytes(fromRuns.t)).toEqual(bytes(all.t));
      }
    }
  });

  it("a line is, byte for byte, each column's rows taken one by one (columnOf per row, NaN skipped, min/max in order)", () => {
    // The reference: every row's column computed (what decimateMinMax did before it found each column's rows by
    // comparing times with the column's end).
    const reference = (g: { fromMs: number; toMs: number; columns: number }, t: Float64Array, v: Float64Array) => {
      const y = new Float64Array(g.columns * 2).fill(NaN);
      const seen: Array<{ min: number; minAt: number; max: number; maxAt: number } | undefined> = [];
      t.forEach((at, i) => {
        const c = columnOf(g, at);
        if (c < 0 || Number.isNaN(v[i])) {
          return;
        }
        const s = seen[c];
        if (!s) {
          seen[c] = { min: v[i], minAt: at, max: v[i], maxAt: at };
        } else if (v[i] < s.min) {
          Object.assign(s, { min: v[i], minAt: at });
        } else if (v[i] > s.max) {
          Object.assign(s, { max: v[i], maxAt: at });
        }
      });
      seen.forEach((s, c) => {
        if (s) {
          const a = s.minAt <= s.maxAt ? 0 : 1;
          y[2 * c + a] = s.min;
          y[2 * c + 1 - a] = s.minAt === s.maxAt ? s.min : s.max;
        }
      });
      return y;
    };
    const bytes = (a: Float64Array) => Array.from(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    const withGaps = Float64Array.from(values, (v, i) => (i % 389 === 0 || (i > 5000 && i < 7000) ? NaN : v));
    // Irregular times (gaps, several points a column, columns without points) and times on column edges.
    const irregular = Float64Array.from(times, (t, i) => t + (i % 7) * 130 + (i > 40_000 ? 400_000 : 0));
    const grids = [
      grid,
      { fromMs: 12_345_678, toMs: 87_654_321, columns: 997 },
      { fromMs: 0, toMs: 50, columns: 7 },
      { fromMs: 1000, toMs: 1000 + 3 * 333_333, columns: 3 },
      { fromMs: 0.1, toMs: 99_000_000.3, columns: 820 },
      { fromMs: 5_000_000, toMs: 5_000_000 + 820 * 60_000, columns: 820 },
    ];
    for (const g of grids) {
      for (const [t, v] of [
        [times, values],
        [times, withGaps],
        [irregular, withGaps],
      ]) {
        expect(bytes(decimateMinMax(g, t, v))).toEqual(bytes(reference(g, t, v)));
      }
    }
  });

  it('one point in a column: the line passes through it in both slots, a lone anomaly is one mark', () => {
    const small = { fromMs: 0, toMs: 100, columns: 10 };
    expect(Array.from(decimateMinMax(small, [5], [7]).slice(0, 2))).toEqual([7, 7]);
    const marks = decimateMarks(small, [5, 6], [7, 8], [1, 0]);
    expect(Array.from(marks.y.slice(0, 2))).toEqual([7, NaN]);
    expect(marks.count).toBe(1);
  });

  it('points outside the visible range are not drawn', () => {
    const small = { fromMs: 100, toMs: 200, columns: 10 };
    expect(decimateMinMax(small, [50, 250], [1, 2]).every(Number.isNaN)).toBe(true);
  });

  it('merges regions closer than a pixel column', () => {
    const merged = mergeRegions(
      [
        { start: 0, end: 10 },
        { start: 15, end: 20 },
        { start: 100, end: 100 },
      ],
      10
    );
    expect(Array.from(merged)).toEqual([0, 20, 100, 100]);
  });
});

describe('the time a pixel column shows (the tooltip)', () => {
  const grid = { fromMs: 1_000, toMs: 11_000, columns: 10 }; // 1 000 ms per column, anchored at multiples of it

  it("columnBounds: each column's times, as columnOf assigns them", () => {
    for (let column = 0; column < grid.columns; column++) {
      const { startMs, endMs } = columnBounds(grid, column);
      expect([columnOf(grid, startMs), columnOf(grid, endMs - 1)]).toEqual([column, column]);
    }
    expect(columnBounds(grid, 9)).toEqual({ startMs: 10_000, endMs: 11_001 }); // toMs itself is in the last one
  });

  it('loneTimeIn: the time of the one point in a column; none for an empty column or one of several points', () => {
    const times = [1_200, 3_100, 3_900, 6_000];
    expect(loneTimeIn(times, 1_000, 2_000)).toBe(1_200);
    expect(loneTimeIn(times, 6_000, 7_000)).toBe(6_000);
    expect(loneTimeIn(times, 3_000, 4_000)).toBeUndefined();
    expect(loneTimeIn(times, 4_000, 5_000)).toBeUndefined();
    expect(loneTimeIn(times, 7_000, 8_000)).toBeUndefined();
  });
});
