import { buildFeatureRows, buildFeatures } from '../src/buildFeatures';
import { EngineInputError } from '../src/engineInputError';
import { resolveFeatureOptions } from '../src/featureOptions';
import { maxFeatureColumns } from '../src/featurePlan';
import { difference } from '../src/features/difference';
import { lag } from '../src/features/lag';
import { rollingMax } from '../src/features/rollingMax';
import { rollingMean } from '../src/features/rollingMean';
import { rollingMin } from '../src/features/rollingMin';
import { rollingStd } from '../src/features/rollingStd';
import { timeFeatures } from '../src/features/timeFeatures';
import type { SeriesTable } from '../src/types';
import { MINUTE_MS, syntheticTable } from './syntheticTable';

const HOUR_MS = 60 * MINUTE_MS;

/** Column `feature` of the matrix. */
function matrixColumn(built: ReturnType<typeof buildFeatures>, feature: number): number[] {
  const { rows, cols, values } = built.matrix;
  return Array.from({ length: rows }, (_, r) => values[r * cols + feature]);
}

function expectError(action: () => unknown, code: string, message: string): void {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineInputError);
    expect((error as EngineInputError).code).toBe(code);
    expect((error as Error).message).toContain(message);
    return;
  }
  throw new Error('expected an EngineInputError');
}

describe('buildFeatures', () => {
  const table = syntheticTable(200, { memory_free_mb: { level: 1e6, amplitude: 50, noise: 5 } });

  it('names the features readably, value first, per metric', () => {
    const built = buildFeatures(table, resolveFeatureOptions({ lags: 2 }));
    expect(built.featureNames).toEqual([
      'memory_free_mb',
      'memory_free_mb (lag 1)',
      'memory_free_mb (lag 2)',
      'memory_free_mb (diff 1)',
      'memory_free_mb (rolling mean 12)',
      'memory_free_mb (rolling std 12)',
      'memory_free_mb (rolling min 12)',
      'memory_free_mb (rolling max 12)',
    ]);
    expect(Array.from(built.sourceColumn)).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
  });

  it('fills every column with the feature function of the same name, as float32', () => {
    const built = buildFeatures(table, resolveFeatureOptions({ lags: 2, window: 6 }));
    const values = table.columns[0].values;
    const expected = [
      values,
      lag(values, 1),
      lag(values, 2),
      difference(values),
      rollingMean(values, 6),
      rollingStd(values, 6),
      rollingMin(values, 6),
      rollingMax(values, 6),
    ];
    expected.forEach((series, feature) => {
      expect(matrixColumn(built, feature)).toEqual(Array.from(built.rowIndex, (row) => Math.fround(series[row])));
    });
  });

  it('reports the rows without enough history as warm-up and scores the rest', () => {
    const withWindow = buildFeatures(table, resolveFeatureOptions({ window: 12, lags: 1 }));
    expect(withWindow.warmupRows).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(withWindow.rowIndex[0]).toBe(11);
    expect(withWindow.matrix.rows).toBe(200 - 11);

    const withLongLags = buildFeatures(table, resolveFeatureOptions({ window: 4, lags: 6 }));
    expect(withLongLags.warmupRows).toHaveLength(6);
    expect(matrixColumn(withLongLags, 6)[0]).toBe(Math.fround(table.columns[0].values[0])); // lag 6 of row 6
  });

  it('reports rows with a missing value and runs lags over the remaining observations', () => {
    const twoColumns = syntheticTable(60, { cpu: { level: 50, seed: 2 }, memory: { level: 900, seed: 3 } });
    twoColumns.columns[0].values[20] = NaN;
    twoColumns.columns[1].values[40] = NaN;
    const built = buildFeatures(twoColumns, resolveFeatureOptions({ window: 4, lags: 1 }));
    expect(built.missingRows).toEqual([20, 40]);
    expect(Array.from(built.rowIndex)).not.toContain(20);
    expect(Array.from(built.rowIndex)).not.toContain(40);
    expect(built.matrix.rows).toBe(60 - 2 - 3);
    // Row 21's lag 1 is row 19, the last observation before the gap (no NaN, no interpolation).
    const row21 = Array.from(built.rowIndex).indexOf(21);
    const lagColumn = built.featureNames.indexOf('cpu (lag 1)');
    expect(built.matrix.values[row21 * built.matrix.cols + lagColumn]).toBe(
      Math.fround(twoColumns.columns[0].values[19])
    );
    expect(built.matrix.values.every(Number.isFinite)).toBe(true);
  });

  it("adds hour-of-day features for 'auto' from a 2-day span on, day-of-week features from 14 days on", () => {
    const auto = resolveFeatureOptions({ seasonality: 'auto' });
    const span = (hours: number) => buildFeatures(syntheticTable(hours + 1, { cpu: { level: 1 } }, HOUR_MS), auto);
    expect(span(47).seasonality).toEqual({ hourOfDay: false, dayOfWeek: false });
    expect(span(47).featureNames).toEqual([
      'cpu',
      'cpu (lag 1)',
      'cpu (diff 1)',
      'cpu (rolling mean 12)',
      'cpu (rolling std 12)',
      'cpu (rolling min 12)',
      'cpu (rolling max 12)',
    ]);
    expect(span(48).seasonality).toEqual({ hourOfDay: true, dayOfWeek: false });
    expect(span(48).featureNames.slice(-2)).toEqual(['hour of day (sin)', 'hour of day (cos)']);
    expect(span(14 * 24 - 1).seasonality).toEqual({ hourOfDay: true, dayOfWeek: false });
    const twoWeeks = span(14 * 24);
    expect(twoWeeks.seasonality).toEqual({ hourOfDay: true, dayOfWeek: true });
    expect(twoWeeks.featureNames.slice(-4)).toEqual([
      'hour of day (sin)',
      'hour of day (cos)',
      'day of week (sin)',
      'day of week (cos)',
    ]);
    expect(Array.from(twoWeeks.sourceColumn.slice(-4))).toEqual([-1, -1, -1, -1]);
  });

  it('follows an explicit or already resolved seasonality whatever the span', () => {
    const short = syntheticTable(10, { cpu: { level: 1 } }, HOUR_MS);
    const long = syntheticTable(400, { cpu: { level: 1 } }, HOUR_MS);
    expect(buildFeatures(short, resolveFeatureOptions({ seasonality: true })).seasonality).toEqual({
      hourOfDay: true,
      dayOfWeek: true,
    });
    expect(buildFeatures(long, resolveFeatureOptions({ seasonality: false })).seasonality).toEqual({
      hourOfDay: false,
      dayOfWeek: false,
    });
    const stored = { ...resolveFeatureOptions(), seasonality: { hourOfDay: false, dayOfWeek: true } };
    expect(buildFeatures(short, stored).featureNames.slice(-2)).toEqual(['day of week (sin)', 'day of week (cos)']);
  });

  it('fills the time features from timeFeatures and never feeds epoch or relative time to the model', () => {
    const days = syntheticTable(100, { cpu: { level: 1 } }, HOUR_MS);
    const built = buildFeatures(days, resolveFeatureOptions({ seasonality: true }));
    const calendar = timeFeatures(days.timestamps);
    const hourSin = built.featureNames.indexOf('hour of day (sin)');
    const weekdayCos = built.featureNames.indexOf('day of week (cos)');
    expect(matrixColumn(built, hourSin)).toEqual(
      Array.from(built.rowIndex, (row) => Math.fround(calendar.hourSin[row]))
    );
    expect(matrixColumn(built, weekdayCos)).toEqual(
      Array.from(built.rowIndex, (row) => Math.fround(calendar.weekdayCos[row]))
    );
    expect(built.featureNames.join()).not.toMatch(/epoch|relative|since/i);
  });

  it('uses the columns exactly as given in raw mode: no warm-up, no engineering, no time features', () => {
    const days = syntheticTable(100, { cpu: { level: 5, seed: 4 }, memory: { level: 7, seed: 5 } }, HOUR_MS);
    days.columns[1].values[3] = NaN;
    const built = buildFeatures(days, resolveFeatureOptions({ raw: true, seasonality: true }));
    expect(built.featureNames).toEqual(['cpu', 'memory']);
    expect(built.warmupRows).toEqual([]);
    expect(built.missingRows).toEqual([3]);
    expect(built.seasonality).toEqual({ hourOfDay: false, dayOfWeek: false });
    expect(matrixColumn(built, 1)).toEqual(
      Array.from(built.rowIndex, (row) => Math.fround(days.columns[1].values[row]))
    );
  });

  it('leaves out the difference and rolling features when switched off', () => {
    const built = buildFeatures(table, resolveFeatureOptions({ lags: 0, differences: false, rolling: false }));
    expect(built.featureNames).toEqual(['memory_free_mb']);
    expect(built.warmupRows).toEqual([]);
  });

  describe('refuses malformed tables, naming the row or column', () => {
    const options = resolveFeatureOptions();
    const make = (timestamps: number[], values: number[]): SeriesTable => ({
      timestamps: Float64Array.from(timestamps),
      columns: [{ name: 'cpu', values: Float64Array.from(values) }],
    });

    it('unsorted timestamps', () => {
      expectError(
        () => buildFeatures(make([0, 2000, 1000], [1, 2, 3]), options),
        'unsorted',
        'row 2 (1970-01-01T00:00:01.000Z) is before that of row 1'
      );
    });

    it('duplicate timestamps', () => {
      expectError(
        () => buildFeatures(make([0, 1000, 1000], [1, 2, 3]), options),
        'unsorted',
        'row 2 (1970-01-01T00:00:01.000Z) repeats that of row 1'
      );
    });

    it('infinite values', () => {
      expectError(
        () => buildFeatures(make([0, 1000, 2000], [1, -Infinity, 3]), options),
        'not-finite',
        "column 'cpu' is -Infinity at row 1"
      );
    });

    it('values beyond float32', () => {
      expectError(
        () => buildFeatures(make([0, 1000], [1e39, 3]), options),
        'out-of-range',
        "column 'cpu' is 1e+39 at row 0"
      );
    });

    it('values other than 0 below float32 (they would read as 0: a series at 1e-300 showed no anomalies)', () => {
      expectError(
        () => buildFeatures(make([0, 1000, 2000], [0, 1e-300, 3]), options),
        'out-of-range',
        "column 'cpu' is 1e-300 at row 1 (1970-01-01T00:00:01.000Z), below the float32 range (smallest 1.1755e-38 but 0)"
      );
      expect(() => buildFeatures(make([0, 1000, 2000], [0, -1.2e-38, 3e38]), options)).not.toThrow();
    });

    it('columns of another length than the timestamps', () => {
      expectError(
        () => buildFeatures(make([0, 1000], [1]), options),
        'length-mismatch',
        "column 'cpu' has 1 values but the table has 2 timestamps"
      );
    });

    it('a table without columns', () => {
      expectError(
        () => buildFeatures({ timestamps: new Float64Array(3), columns: [] }, options),
        'no-columns',
        'no metric column'
      );
    });
  });

  it('refuses invalid options with the accepted values', () => {
    expectError(
      () => resolveFeatureOptions({ window: 1 }),
      'invalid-option',
      'window must be an integer from 2 to 100000, got 1'
    );
    expectError(() => resolveFeatureOptions({ lags: -1 }), 'invalid-option', 'lags must be an integer from 0');
    expectError(
      () => resolveFeatureOptions({ seasonality: 'yes' as never }),
      'invalid-option',
      "seasonality must be 'auto', true or false"
    );
    expectError(
      () => resolveFeatureOptions({ windows: 3 } as never),
      'invalid-option',
      'unknown feature option "windows"'
    );
  });
});

describe('buildFeatureRows', () => {
  it('gives the rows asked for the very floats buildFeatures gives them (gaps, spikes, plateaus, 0 and -0, time)', () => {
    const table = syntheticTable(3000, {
      cpu: { level: 50, amplitude: 10, noise: 4, seed: 1 },
      latency: { level: 1e6, amplitude: 5, noise: 30, seed: 2 },
    });
    const [cpu, latency] = table.columns.map((column) => column.values);
    [17, 400, 401, 2210].forEach((row) => (cpu[row] = NaN));
    latency[900] = 1e12; // a spike leaving the window forces a recompute of the rolling moments
    cpu.fill(3, 1200, 1260); // a plateau: rolling std 0
    [1500, 1502, 1505].forEach((row) => (cpu[row] = 0));
    [1501, 1503, 1504].forEach((row) => (cpu[row] = -0));
    for (const options of [
      resolveFeatureOptions({ lags: 3 }),
      { ...resolveFeatureOptions({ window: 5 }), seasonality: { hourOfDay: true, dayOfWeek: true } },
    ]) {
      const built = buildFeatures(table, options);
      // matrix rows: the first ones, and those of table rows around the gaps, the spike, the plateau, the zeros
      const tableRows = [403, 905, 1250, 1502, 1503, 1504, 1505, 1507, 2999];
      const picks = [0, 1, 2, ...tableRows.map((row) => built.rowIndex.indexOf(row))];
      expect(picks.every((i) => i >= 0)).toBe(true);
      const rows = buildFeatureRows(
        table,
        options,
        picks.map((i) => built.rowIndex[i])
      );
      expect(rows.incomplete).toBeUndefined();
      const { cols } = built.matrix;
      picks.forEach((i, k) => {
        const expected = Array.from(built.matrix.values.subarray(i * cols, (i + 1) * cols));
        const actual = Array.from(rows.matrix.values.subarray(k * cols, (k + 1) * cols));
        expect(actual.map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(
          expected.map((v) => (Object.is(v, -0) ? '-0' : v))
        );
      });
    }
  });

  it('names the first row asked for that has no features (warm-up or missing)', () => {
    const table = syntheticTable(100, { cpu: { level: 50, amplitude: 10, noise: 4, seed: 1 } });
    table.columns[0].values[50] = NaN;
    const options = resolveFeatureOptions({});
    expect(buildFeatureRows(table, options, [3, 60]).incomplete).toBe(3);
    expect(buildFeatureRows(table, options, [40, 50, 60]).incomplete).toBe(50);
  });
});

describe('maxFeatureColumns', () => {
  it('is the width buildFeatures gives with every calendar feature on, and grows with metrics x (lags + 6)', () => {
    const table = syntheticTable(200, { a: { level: 1 }, b: { level: 2 }, c: { level: 3 } });
    for (const options of [{}, { lags: 4 }, { rolling: false, differences: false }, { raw: true }]) {
      const built = buildFeatures(table, { ...resolveFeatureOptions(options), seasonality: true });
      expect([options, maxFeatureColumns(3, options)]).toEqual([options, built.featureNames.length]);
    }
    expect(maxFeatureColumns(500, { lags: 100 })).toBe(500 * (100 + 6) + 4);
  });
});
