import { AnomalyDetector, type SeriesTable } from '@telemetry-analyzer/engine';
import { ScoredTable, scoreWithCache } from '../src/query/scoreCache';

const STEP = 15_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % STEP);
const WINDOW = 6;
const LAGS = 2;

/** Two metrics with daily-ish waves, deterministic noise and a few spikes. */
function cpuAt(i: number): number {
  return 40 + 10 * Math.sin(i / 30) + ((i * 7919) % 13) / 3 + (i % 97 === 0 ? 35 : 0);
}
function memoryAt(i: number): number {
  return 2000 + 150 * Math.cos(i / 45) + ((i * 104729) % 17) * 2 + (i % 131 === 0 ? -600 : 0);
}

/**
 * Steps `from`..`to` (exclusive) as a table, without the steps in `absent` (no sample at all: a gap) and with NaN
 * for memory at the steps in `memoryMissing`.
 */
function tableOf(
  from: number,
  to: number,
  { absent = [], memoryMissing = [], override = new Map() }: TableOptions = {}
): SeriesTable {
  const steps: number[] = [];
  for (let i = from; i < to; i++) {
    if (!absent.includes(i)) {
      steps.push(i);
    }
  }
  return {
    timestamps: Float64Array.from(steps, (i) => T0 + i * STEP),
    columns: [
      { name: 'cpu', values: Float64Array.from(steps, (i) => override.get(i) ?? cpuAt(i)) },
      { name: 'memory', values: Float64Array.from(steps, (i) => (memoryMissing.includes(i) ? NaN : memoryAt(i))) },
    ],
  };
}
interface TableOptions {
  absent?: number[];
  memoryMissing?: number[];
  override?: Map<number, number>;
}

const detector = AnomalyDetector.train(tableOf(0, 600), {
  features: { window: WINDOW, lags: LAGS, seasonality: false },
  forest: { nEstimators: 40, seed: 11, contamination: 0.03 },
  mode: 'multivariate',
});

/** Scores `table` after `earlier` was scored (the cache's state), and without any cache. */
function withAndWithout(earlier: SeriesTable, table: SeriesTable) {
  const previous = scoreWithCache(detector, earlier, undefined).scored;
  return { cached: scoreWithCache(detector, table, previous), uncached: scoreWithCache(detector, table, undefined) };
}

/** Same rows scored, same scores to the bit. */
function expectIdentical(actual: ScoredTable, expected: ScoredTable): void {
  expect(Array.from(actual.timestamps)).toEqual(Array.from(expected.timestamps));
  expect(Array.from(actual.scoredRows)).toEqual(Array.from(expected.scoredRows));
  expect(Buffer.from(actual.scores.buffer).equals(Buffer.from(expected.scores.buffer))).toBe(true);
  expect(actual.threshold).toBe(expected.threshold);
}

describe('scoreWithCache', () => {
  it('without a previous table scores exactly as the engine scores the whole table', () => {
    const table = tableOf(600, 900, { memoryMissing: [650] });
    const { scored, rowsScored, rowsFromCache } = scoreWithCache(detector, table, undefined);
    const [engine] = detector.score(table);
    expect(Array.from(scored.scoredRows.keys()).filter((row) => scored.scoredRows[row])).toEqual(
      Array.from(engine.rowIndex)
    );
    expect(Array.from(engine.rowIndex, (row) => scored.scores[row])).toEqual(Array.from(engine.scores));
    expect(scored.threshold).toBe(engine.threshold);
    expect(rowsScored).toBe(engine.rowIndex.length);
    expect(rowsFromCache).toBe(0);
  });

  it('(a) the same range again: identical results, only the head rescored', () => {
    const table = tableOf(600, 900);
    const { cached, uncached } = withAndWithout(table, tableOf(600, 900));
    expectIdentical(cached.scored, uncached.scored);
    const head = WINDOW + LAGS + 1;
    // The head's rows after the engine's warm-up are the only ones the engine scores again.
    expect(cached.rowsScored).toBeLessThanOrEqual(head);
    expect(cached.rowsFromCache + cached.rowsScored).toBe(uncached.rowsScored);
  });

  it('(b) a range shifted forward by a few steps: identical results, only the head and the new steps scored', () => {
    const { cached, uncached } = withAndWithout(tableOf(600, 900), tableOf(605, 905));
    expectIdentical(cached.scored, uncached.scored);
    expect(cached.rowsFromCache).toBeGreaterThan(250);
    expect(cached.rowsScored).toBeLessThan(2 * (WINDOW + LAGS + 1) + 5);
  });

  it('(c) a recent value changed (a late sample): identical results, that row and the ones after it rescored', () => {
    const changedStep = 890;
    const { cached, uncached } = withAndWithout(
      tableOf(600, 900),
      tableOf(600, 900, { override: new Map([[changedStep, cpuAt(changedStep) + 50]]) })
    );
    expectIdentical(cached.scored, uncached.scored);
    const changedRow = changedStep - 600;
    const earlier = scoreWithCache(detector, tableOf(600, 900), undefined).scored;
    expect(cached.scored.scores[changedRow]).not.toBe(earlier.scores[changedRow]);
    expect(cached.rowsFromCache).toBe(changedRow - (WINDOW + LAGS + 1));
  });

  it('(d) gaps: absent steps and missing values, before and inside the new rows: identical results', () => {
    // The earlier table ends in a gap; the new one fills later steps after it, with a missing memory value too.
    const earlier = tableOf(600, 880, {
      absent: [700, 701, 702, 870, 871, 872, 873, 874, 875, 876, 877, 878, 879],
      memoryMissing: [604, 640],
    });
    const later = tableOf(603, 900, { absent: [700, 701, 702, 870, 871, 872], memoryMissing: [604, 640, 884] });
    const { cached, uncached } = withAndWithout(earlier, later);
    expectIdentical(cached.scored, uncached.scored);
    expect(cached.rowsFromCache).toBeGreaterThan(200);
  });

  it('(d) a range after a gap in time, not overlapping the previous one: scored whole', () => {
    const { cached, uncached } = withAndWithout(tableOf(600, 700), tableOf(750, 850));
    expectIdentical(cached.scored, uncached.scored);
    expect(cached.rowsFromCache).toBe(0);
  });

  it('an earlier range (the new table starts before the previous one): scored whole', () => {
    const { cached, uncached } = withAndWithout(tableOf(650, 900), tableOf(600, 850));
    expectIdentical(cached.scored, uncached.scored);
    expect(cached.rowsFromCache).toBe(0);
  });

  it('keeps reusing over a sequence of refreshes, each against the previous one', () => {
    let previous: ScoredTable | undefined;
    let fromCache = 0;
    for (let shift = 0; shift < 40; shift += 4) {
      const table = tableOf(600 + shift, 900 + shift, { memoryMissing: [650, 700, 899 + shift] });
      const result = scoreWithCache(detector, table, previous);
      expectIdentical(result.scored, scoreWithCache(detector, table, undefined).scored);
      fromCache += result.rowsFromCache;
      previous = result.scored;
    }
    expect(fromCache).toBeGreaterThan(9 * 250);
  });
});
