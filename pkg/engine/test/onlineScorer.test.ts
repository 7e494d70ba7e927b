import { AnomalyDetector, type ScoreResult } from '../src/detector';
import { EngineInputError } from '../src/engineInputError';
import type { OnlineScore } from '../src/onlineScorer';
import { perSeriesRow } from '../src/perSeriesRow';
import type { SeriesTable } from '../src/types';
import { headRows, MINUTE_MS, syntheticTable } from './syntheticTable';

/** 3 days of 10-minute data with a large offset (running sums matter), gaps and a spike. */
function telemetry(): SeriesTable {
  const table = syntheticTable(
    432,
    {
      requests: { level: 1e6, amplitude: 500, noise: 40, seed: 21 },
      latency_ms: { level: 120, amplitude: 30, noise: 8, seed: 22 },
    },
    10 * MINUTE_MS
  );
  table.columns[0].values[100] = NaN;
  table.columns[1].values[101] = NaN;
  table.columns[1].values[250] = NaN;
  table.columns[0].values[300] += 20_000;
  return table;
}

/** Pushes every row of `table`, returning what push() returned per row. */
function stream(detector: AnomalyDetector, table: SeriesTable) {
  const scorer = detector.createOnlineScorer();
  const names = table.columns.map((c) => c.name);
  expect(scorer.columns).toEqual(names);
  return Array.from(table.timestamps, (t, row) =>
    scorer.push(
      t,
      Float64Array.from(table.columns, (c) => c.values[row])
    )
  );
}

/** The streamed results agree exactly with the batch result: same rows scored, bit-identical scores. */
function expectSameAsBatch(streamed: Array<OnlineScore | null>, batch: ScoreResult): void {
  const scoredRows = streamed.flatMap((result, row) => (result === null ? [] : [row]));
  expect(scoredRows).toEqual(Array.from(batch.rowIndex));
  const scores = scoredRows.map((row) => streamed[row]!.score);
  expect(Float64Array.from(scores)).toEqual(batch.scores);
  expect(scoredRows.map((row) => (streamed[row]!.isAnomaly ? 1 : 0))).toEqual(Array.from(batch.isAnomaly));
}

describe('createOnlineScorer', () => {
  const table = telemetry();

  it.each([
    ['hour-of-day features (auto)', {}],
    ['all time features and 3 lags', { seasonality: true, lags: 3, window: 6 }],
    ['no scaling', { scale: false }],
    ['raw columns', { raw: true }],
  ])('streams row by row to exactly the scores of score() on the whole table: %s', (_label, features) => {
    const detector = AnomalyDetector.train(headRows(table, 300), { features, forest: { nEstimators: 40 } });
    const [batch] = detector.score(table);
    expect(batch.missingRows).toEqual([100, 101, 250]);
    expectSameAsBatch(stream(detector, table), batch);
  });

  it.each([
    ['differences', 3e38, {}],
    ['differences', 3e38, { scale: false }],
    ['differences and rolling std', 3.3e38, {}],
    ['differences and rolling std', 3.3e38, { scale: false }],
  ])('clamps %s beyond the float32 range (values ±%s), streamed as in the batch (%j)', (_what, level, features) => {
    // Values at ±3e38 differ by 6e38; at ±3.3e38 their rolling std (ddof 1) is 3.45e38. Before: Infinity in the
    // matrix; "IsolationForest.fit: value … is NaN".
    const wide = syntheticTable(200, { swing: { level: 0 } });
    wide.columns[0].values.forEach((_, row) => (wide.columns[0].values[row] = row % 2 ? level : -level + row));
    const detector = AnomalyDetector.train(headRows(wide, 150), { features, forest: { nEstimators: 20 } });
    const [batch] = detector.score(wide);
    expect(batch.scores.every(Number.isFinite)).toBe(true);
    expectSameAsBatch(stream(detector, wide), batch);
  });

  it('returns null for the warm-up and for rows with a missing value', () => {
    const detector = AnomalyDetector.train(table, { forest: { nEstimators: 20 } });
    const streamed = stream(detector, table);
    expect(streamed.slice(0, 11)).toEqual(new Array(11).fill(null));
    expect(streamed[11]).not.toBeNull();
    expect([streamed[100], streamed[101], streamed[250]]).toEqual([null, null, null]);
  });

  it('gives each streamed row the named contributions that explain() gives in the batch', () => {
    const detector = AnomalyDetector.train(table, { forest: { nEstimators: 20 } });
    const [batch] = detector.score(table);
    const streamed = stream(detector, table);
    const spike = streamed[300]!;
    expect(spike.isAnomaly).toBe(true);
    for (const row of [11, 150, 300]) {
      const i = Array.from(batch.rowIndex).indexOf(row);
      expect(streamed[row]!.contributions).toEqual(detector.explain(table, batch, i));
    }
    expect(spike.contributions.map((c) => c.name)).toEqual(
      spike.contributions.map((c) => detector.featureNames[c.feature])
    );
    expect(spike.contributions.reduce((sum, c) => sum + c.weight, 0)).toBeCloseTo(1, 10);
  });

  it('scores every column as per-column score() does, reporting the most anomalous column', () => {
    const detector = AnomalyDetector.train(headRows(table, 300), { mode: 'per-column', forest: { nEstimators: 40 } });
    const batch = detector.score(table);
    const streamed = stream(detector, table);
    batch.forEach((columnResult, c) => {
      expectSameAsBatch(
        streamed.map((result) => result?.perColumn?.[c] ?? null),
        columnResult
      );
    });
    // Row 100 misses only 'requests': 'latency_ms' is still scored.
    expect(streamed[100]!.column).toBe('latency_ms');
    expect(streamed[100]!.perColumn![0]).toBeNull();
    expect(streamed[300]!.column).toBe('requests');
    // Each row as detect reports it: the highest column score, flagged when a column flags it, in the name of the
    // flagging column with the highest score (or, unflagged, the column with the highest score).
    for (const result of streamed) {
      if (result === null) {
        continue;
      }
      const scored = result.perColumn!.filter((column) => column !== null);
      const highest = Math.max(...scored.map((column) => column.score));
      const flagging = scored.filter((column) => column.isAnomaly);
      const explaining = flagging.length > 0 ? flagging : scored.filter((column) => column.score === highest);
      const expected = explaining.reduce((best, column) => (column.score > best.score ? column : best));
      expect([result.score, result.isAnomaly, result.column, result.threshold]).toEqual([
        highest,
        flagging.length > 0,
        expected.column,
        expected.threshold,
      ]);
    }
    // Rows where the previous rule (the column furthest above its threshold) differs: pkg/cli's detectStreamParity.
  });

  describe('perSeriesRow: one row from its columns', () => {
    const row = (scores: number[], flags: boolean[]) =>
      perSeriesRow(
        scores.length,
        (c) => scores[c],
        (c) => flags[c]
      );

    it.each([
      [
        'the highest score, explained by the flagging column with the highest score',
        [0.7, 0.9, 0.8],
        [true, false, true],
        0.9,
        true,
        2,
      ],
      ['unflagged: explained by the highest score', [0.4, 0.6, 0.5], [false, false, false], 0.6, false, 1],
      ['the first of equal scores', [0.6, 0.6], [true, true], 0.6, true, 0],
      ['a column without a score is left out', [NaN, 0.3], [false, false], 0.3, false, 1],
      ['no column with a score', [NaN, NaN], [false, false], NaN, false, -1],
    ])('%s', (_, scores, flags, score, isAnomaly, explainedBy) => {
      expect(row(scores, flags)).toEqual({ score, isAnomaly, explainedBy });
    });
  });

  describe('refuses bad rows with an EngineInputError', () => {
    const detector = AnomalyDetector.train(table, { forest: { nEstimators: 10 } });

    it('a timestamp not after the previous one', () => {
      const scorer = detector.createOnlineScorer();
      scorer.push(1000, Float64Array.of(1, 2));
      expect(() => scorer.push(1000, Float64Array.of(1, 2))).toThrow(
        'push: timestamp 1970-01-01T00:00:01.000Z is not after the previous one (1970-01-01T00:00:01.000Z)'
      );
    });

    it('a wrong number of values', () => {
      expect(() => detector.createOnlineScorer().push(0, Float64Array.of(1))).toThrow(
        'push: got 1 values, expected one per column (requests, latency_ms)'
      );
    });

    it('infinite values, naming the column', () => {
      const error = (() => {
        try {
          detector.createOnlineScorer().push(0, Float64Array.of(1, -Infinity));
        } catch (e) {
          return e as EngineInputError;
        }
      })();
      expect(error).toBeInstanceOf(EngineInputError);
      expect(error!.code).toBe('not-finite');
      expect(error!.column).toBe('latency_ms');
    });

    it('values outside the float32 range, naming the column: beyond it, and below it but 0', () => {
      for (const value of [1e39, 1e-300]) {
        expect(() => detector.createOnlineScorer().push(0, Float64Array.of(1, value))).toThrow(
          new RegExp(
            `^push: column 'latency_ms' is ${String(value).replace('+', '\\+')} at .*, (beyond|below) the float32 range`
          )
        );
      }
    });
  });
});
