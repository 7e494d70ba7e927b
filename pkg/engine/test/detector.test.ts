import { buildFeatureSteps, buildFeatures } from '../src/buildFeatures';
import { AnomalyDetector, MIN_TRAINING_ROWS, type ScoreResult } from '../src/detector';
import { resolveFeatureOptions } from '../src/featureOptions';
import { StandardScaler } from '../src/features/standardScaler';
import { runSteps } from '../src/steps';
import { EngineInputError } from '../src/engineInputError';
import { ModelFormatError } from '../src/modelFormat';
import type { SeriesTable } from '../src/types';
import { headRows, MINUTE_MS, sliceRows, syntheticTable } from './syntheticTable';

const HOUR_MS = 60 * MINUTE_MS;

/** 3 days of 10-minute telemetry: two metrics with a daily cycle and noise. */
function telemetry(): SeriesTable {
  return syntheticTable(
    432,
    {
      cpu_percent: { level: 40, amplitude: 15, noise: 4, seed: 11 },
      memory_free_mb: { level: 1e6, amplitude: 200, noise: 30, seed: 12 },
    },
    10 * MINUTE_MS
  );
}

function expectEngineError(action: () => unknown, code: string, ...messageParts: string[]): EngineInputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(EngineInputError);
    expect((error as EngineInputError).code).toBe(code);
    for (const part of messageParts) {
      expect((error as Error).message).toContain(part);
    }
    return error as EngineInputError;
  }
  throw new Error(`expected an EngineInputError '${code}'`);
}

function scoreOf(result: ScoreResult, row: number): number {
  const i = Array.from(result.rowIndex).indexOf(row);
  expect(i).toBeGreaterThanOrEqual(0);
  return result.scores[i];
}

const SPIKE_ROW = 400;
/** Rows whose features contain the spike: the spike row and the next `window` rows (lag, difference, window). */
const SPIKE_REACH = 12;

/** The spike row is flagged and scores above every row whose features do not contain the spike. */
function expectSpikeFlagged(result: ScoreResult): void {
  const rows = Array.from(result.rowIndex);
  const spike = rows.indexOf(SPIKE_ROW);
  expect(result.isAnomaly[spike]).toBe(1);
  const unaffected = Array.from(result.scores).filter(
    (_, i) => rows[i] < SPIKE_ROW || rows[i] > SPIKE_ROW + SPIKE_REACH
  );
  expect(result.scores[spike]).toBeGreaterThan(Math.max(...unaffected));
}

/**
 * The telemetry with a spike in memory_free_mb, trained on and scored as a whole: finding the outliers of a
 * history. (A spike only in data scored later cannot be isolated better than the most extreme training rows,
 * since the forest's cuts lie within the training range: Isolation Forest detects outliers, not novelty.)
 */
function spiked(): { training: SeriesTable; scored: SeriesTable } {
  const scored = telemetry();
  scored.columns[1].values[SPIKE_ROW] -= 5000; // ~170 noise widths below the usual level
  return { training: scored, scored };
}

describe('AnomalyDetector', () => {
  it('flags an injected spike as the most anomalous row (multivariate)', () => {
    const { training, scored } = spiked();
    const [result] = AnomalyDetector.train(training).score(scored);
    expectSpikeFlagged(result);
    expect(result.threshold).toBe(0.5); // contamination 'auto'
    expect(result.column).toBeUndefined();
  });

  it('gives one result per column in per-column mode, flagging the spike in its own column', () => {
    const { training, scored } = spiked();
    const detector = AnomalyDetector.train(training, { mode: 'per-column' });
    const results = detector.score(scored);
    expect(results.map((r) => r.column)).toEqual(['cpu_percent', 'memory_free_mb']);
    const [cpu, memory] = results;
    expectSpikeFlagged(memory);
    expect(scoreOf(cpu, SPIKE_ROW)).toBeLessThan(cpu.threshold);
    // Each model only sees its own column's features (and the shared time features).
    expect(detector.featureNames.filter((name) => name.startsWith('cpu_percent'))).toHaveLength(7);
    expect(detector.featureNames.filter((name) => name.startsWith('memory_free_mb'))).toHaveLength(7);
  });

  describe('per-column mode flags about the contamination of the rows (each of k columns at contamination / k)', () => {
    /** 4 000 rows of five independent noise columns, nothing anomalous. */
    const noise = () =>
      syntheticTable(
        4000,
        Object.fromEntries(
          Array.from({ length: 5 }, (_, c) => [`m${c}`, { level: 10 * (c + 1), noise: 2, seed: 40 + c }])
        )
      );
    const flaggedShare = (results: ScoreResult[]) => {
      const flagged = new Set<number>();
      for (const result of results) {
        result.isAnomaly.forEach((flag, i) => flag === 1 && flagged.add(result.rowIndex[i]));
      }
      return flagged.size / results[0].rowIndex.length;
    };

    it('on rows like the training rows, as online mode does', () => {
      // A review (2026-12-07): every column's model took the whole 0.01, and a row flagged by any of the five made
      // 5.0 % of the rows flagged.
      const table = noise();
      const detector = AnomalyDetector.train(headRows(table, 2000), {
        mode: 'per-column',
        forest: { contamination: 0.01, seed: 4 },
      });
      const share = flaggedShare(detector.score(sliceRows(table, 2000, 4000)));
      expect(share).toBeGreaterThan(0.005);
      expect(share).toBeLessThan(0.016);
      expect(detector.options.forest.contamination).toBe(0.01);
      // Re-thresholded, the same split.
      detector.setContamination(0.05);
      expect(detector.options.forest.contamination).toBe(0.05);
      const rethresholded = flaggedShare(detector.score(sliceRows(table, 2000, 4000)));
      expect(rethresholded).toBeGreaterThan(0.03);
      expect(rethresholded).toBeLessThan(0.065);
    });

    it('keeps its contamination through toJSON / fromJSON, and reads files written before it was stored', () => {
      const detector = AnomalyDetector.train(headRows(noise(), 1000), {
        mode: 'per-column',
        forest: { contamination: 0.03, nEstimators: 20, seed: 4 },
      });
      const saved = detector.toJSON();
      expect(saved.contamination).toBe(0.03);
      expect(saved.models.map((model) => model.forest.params.contamination)).toEqual(Array(5).fill(0.03 / 5));
      const read = AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(saved)));
      expect(read.options.forest.contamination).toBe(0.03);
      // An earlier file: no contamination of its own, every forest with the whole of it.
      const { contamination: _, ...earlier } = saved;
      expect(AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(earlier))).options.forest.contamination).toBe(0.006);
      expect(() => AnomalyDetector.fromJSON({ ...JSON.parse(JSON.stringify(saved)), contamination: 0.05 })).toThrow(
        /contamination 0\.05 does not match its 5 forests'/
      );
    });
  });

  it('explains the spike by the spiked column, with feature names', () => {
    const { training, scored } = spiked();
    const detector = AnomalyDetector.train(training);
    const [result] = detector.score(scored);
    const contributions = detector.explain(scored, result, Array.from(result.rowIndex).indexOf(SPIKE_ROW), 3);
    expect(contributions).toHaveLength(3);
    expect(contributions[0].name).toBe(detector.featureNames[contributions[0].feature]);
    expect(contributions[0].name).toMatch(/^memory_free_mb/);
  });

  it('explains many rows at once exactly as one by one', () => {
    const { training, scored } = spiked();
    const detector = AnomalyDetector.train(training);
    const [result] = detector.score(scored);
    const indices = [0, 5, Array.from(result.rowIndex).indexOf(SPIKE_ROW), result.rowIndex.length - 1];
    const together = detector.explainMany(scored, result, indices, 3);
    expect(together).toEqual(indices.map((i) => detector.explain(scored, result, i, 3)));
    expect(() => detector.explainMany(scored, result, [result.rowIndex.length])).toThrow(/explain: i must be/);
  });

  it('explains table rows without scoring first exactly as explain() does, and refuses a row without history', () => {
    const { training, scored } = spiked();
    const detector = AnomalyDetector.train(training);
    const [result] = detector.score(scored);
    const indices = [0, 5, Array.from(result.rowIndex).indexOf(SPIKE_ROW), result.rowIndex.length - 1];
    const byRow = detector.explainRows(
      scored,
      indices.map((i) => result.rowIndex[i]),
      3
    );
    expect(byRow).toEqual(indices.map((i) => detector.explain(scored, result, i, 3)));
    const warmupRow = result.rowIndex[0] - 1;
    expectEngineError(() => detector.explainRows(scored, [warmupRow]), 'invalid-option', `table row ${warmupRow}`);
  });

  it('stores the seasonality decision made on the training data and scores short tables with it', () => {
    const table = telemetry(); // 3 days: 'auto' turns seasonality on
    const detector = AnomalyDetector.train(table);
    expect(detector.options.features.seasonality).toEqual({ hourOfDay: true, dayOfWeek: false });
    expect(detector.featureNames).toContain('hour of day (sin)');
    const twoHours = sliceRows(table, 300, 312); // far below 2 days: on its own 'auto' would say no
    const [result] = detector.score(twoHours);
    expect(result.rowIndex).toHaveLength(1);
    expect(result.warmupRows).toHaveLength(11);

    const short = AnomalyDetector.train(headRows(table, 200)); // 33 hours
    expect(short.options.features.seasonality).toEqual({ hourOfDay: false, dayOfWeek: false });
    expect(short.featureNames).not.toContain('hour of day (sin)');
  });

  it('fits the scaler on the training rows only and applies it unchanged', () => {
    const table = telemetry();
    const detector = AnomalyDetector.train(headRows(table, 300));
    const scalerBefore = JSON.stringify(detector.toJSON().models[0].scaler);
    // Two scoring tables that agree on rows 300..349 and differ wildly afterwards.
    const calm = sliceRows(table, 300, 400);
    const wild = sliceRows(table, 300, 400);
    wild.columns.forEach(({ values }) => values.subarray(50).forEach((v, i, rest) => (rest[i] = v * 1000)));
    const [calmResult] = detector.score(calm);
    const [wildResult] = detector.score(wild);
    expect(JSON.stringify(detector.toJSON().models[0].scaler)).toBe(scalerBefore);
    // Rows before the difference (minus the rows whose window reaches into it) score identically.
    expect(calmResult.scores.subarray(0, 50 - 11)).toEqual(wildResult.scores.subarray(0, 50 - 11));
    expect(Array.from(wildResult.isAnomaly.subarray(50 - 11))).toContain(1);
  });

  it('reports warm-up and missing rows of the scored table', () => {
    const table = telemetry();
    const detector = AnomalyDetector.train(headRows(table, 300), { features: { window: 6, lags: 2 } });
    const scored = sliceRows(table, 300, 340);
    scored.columns[0].values[20] = NaN;
    const [result] = detector.score(scored);
    expect(result.warmupRows).toEqual([0, 1, 2, 3, 4]);
    expect(result.missingRows).toEqual([20]);
    expect(result.rowIndex).toHaveLength(40 - 5 - 1);
  });

  it('re-thresholds with setContamination without changing the scores', () => {
    const table = telemetry();
    const detector = AnomalyDetector.train(table);
    const [before] = detector.score(table);
    detector.setContamination(0.1);
    const [after] = detector.score(table);
    expect(after.scores).toEqual(before.scores);
    expect(after.threshold).not.toBe(before.threshold);
    expect(detector.options.forest.contamination).toBe(0.1);
    const flagged = after.isAnomaly.reduce((n, a) => n + a, 0);
    expect(flagged / after.scores.length).toBeCloseTo(0.1, 1);
    expect(() => detector.setContamination(0.9)).toThrow(EngineInputError);
  });

  describe('trainAndScore', () => {
    /** The spiked telemetry with a few missing values, so that warm-up and missing rows are both reported. */
    function withGaps(): SeriesTable {
      const { training } = spiked();
      training.columns[0].values[100] = NaN;
      training.columns[1].values[250] = NaN;
      return training;
    }

    it.each(['multivariate', 'per-column'] as const)(
      'gives bit-identically what train() then score() give on the same table (%s)',
      (mode) => {
        // A numeric contamination: the threshold then comes from the training rows' scores.
        const options = { mode, forest: { nEstimators: 40, seed: 5, contamination: 0.02 } };
        const { detector, results } = AnomalyDetector.trainAndScore(withGaps(), options);
        const separate = AnomalyDetector.train(withGaps(), options);
        const expected = separate.score(withGaps());

        expect(results).toHaveLength(mode === 'multivariate' ? 1 : 2);
        results.forEach((result, k) => {
          expect(result.missingRows.length).toBeGreaterThan(0);
          expect(Buffer.from(result.scores.buffer).equals(Buffer.from(expected[k].scores.buffer))).toBe(true);
          expect(result.threshold).toBe(expected[k].threshold);
        });
        expect(results).toEqual(expected);
        // The detector itself (forests, kept training scores, threshold) is the same as train()'s.
        expect(JSON.stringify(detector)).toBe(JSON.stringify(separate));
        expect(detector.score(withGaps())).toEqual(expected);
      }
    );

    it('keeps its training scores apart from the results it returns', () => {
      const table = telemetry();
      const { detector, results } = AnomalyDetector.trainAndScore(table, { forest: { nEstimators: 20 } });
      const reference = AnomalyDetector.train(table, { forest: { nEstimators: 20 } });
      results[0].scores.fill(0); // a host may reuse the arrays it was given
      detector.setContamination(0.05);
      reference.setContamination(0.05);
      expect(detector.options.forest.contamination).toBe(0.05);
      expect(detector.score(table)[0].threshold).toBe(reference.score(table)[0].threshold);
    });

    it('refuses what train() refuses, with the same error', () => {
      const table = telemetry();
      table.columns[0].values.fill(3);
      expectEngineError(() => AnomalyDetector.trainAndScore(headRows(telemetry(), 15)), 'too-few-rows');
    });
  });

  describe('in steps (trainAndScoreSteps, scoreSteps)', () => {
    /** Runs steps to the end, counting them. */
    function drain<T>(steps: Generator<void, T>): { value: T; steps: number } {
      let count = 0;
      for (;;) {
        const step = steps.next();
        if (step.done) {
          return { value: step.value, steps: count };
        }
        count++;
      }
    }

    it.each(['multivariate', 'per-column'] as const)(
      'give bit-identically what trainAndScore and score give, in many small steps (%s)',
      (mode) => {
        const { training, scored } = spiked();
        training.columns[0].values[100] = NaN;
        const options = { mode, forest: { nEstimators: 40, seed: 5, contamination: 0.02 } };
        const whole = AnomalyDetector.trainAndScore(training, options);
        // 37 rows per step: chunks of both scoring paths (dense layout and tree walk for the short last chunk).
        const stepped = drain(AnomalyDetector.trainAndScoreSteps(training, options, 37));

        const rows = whole.results[0].rowIndex.length;
        const models = mode === 'multivariate' ? 1 : 2;
        // Per model: a step per feature column, one after scaling, one after the trees, one per 37 rows scored.
        expect(stepped.steps).toBeGreaterThan(models * (2 + Math.ceil(rows / 37)));
        stepped.value.results.forEach((result, k) => {
          expect(Buffer.from(result.scores.buffer).equals(Buffer.from(whole.results[k].scores.buffer))).toBe(true);
        });
        expect(stepped.value.results).toEqual(whole.results);
        expect(JSON.stringify(stepped.value.detector)).toBe(JSON.stringify(whole.detector));

        const expected = whole.detector.score(scored);
        const scoredInSteps = drain(whole.detector.scoreSteps(scored, 50));
        expect(scoredInSteps.steps).toBeGreaterThan(Math.ceil(expected[0].rowIndex.length / 50));
        expect(scoredInSteps.value).toEqual(expected);
      }
    );

    it('refuses what trainAndScore refuses, with the same error', () => {
      expectEngineError(() => drain(AnomalyDetector.trainAndScoreSteps(headRows(telemetry(), 15))), 'too-few-rows');
    });
  });

  describe('JSON round trip', () => {
    it.each(['multivariate', 'per-column'] as const)('scores bit-identically after toJSON / fromJSON (%s)', (mode) => {
      const { training, scored } = spiked();
      const detector = AnomalyDetector.train(training, { mode, forest: { nEstimators: 30, seed: 7 } });
      const json = JSON.parse(JSON.stringify(detector));
      expect(json).toMatchObject({
        kind: 'telemetry-analyzer-detector',
        formatVersion: 1,
        mode,
        columns: ['cpu_percent', 'memory_free_mb'],
      });
      const restored = AnomalyDetector.fromJSON(json);
      expect(restored.score(scored)).toEqual(detector.score(scored));
      expect(restored.featureNames).toEqual(detector.featureNames);
      expect(restored.options).toEqual(detector.options);
    });

    it.each(['multivariate', 'per-column'] as const)(
      'scores and explains bit-identically after toTransfer / structuredClone / fromTransfer (%s)',
      (mode) => {
        const { training, scored } = spiked();
        const detector = AnomalyDetector.train(training, { mode, forest: { nEstimators: 30, seed: 7 } });
        // What a worker thread receives: typed arrays and plain values, no class instances.
        const restored = AnomalyDetector.fromTransfer(structuredClone(detector.toTransfer()));
        const results = detector.score(scored);
        expect(restored.score(scored)).toEqual(results);
        expect(restored.explain(scored, results[0], 0)).toEqual(detector.explain(scored, results[0], 0));
        expect(restored.options).toEqual(detector.options);
        expect(() => restored.toJSON()).toThrow(/released its training data/);
      }
    );

    it('keeps raw mode without a scaler', () => {
      const table = telemetry();
      const detector = AnomalyDetector.train(table, { features: { raw: true } });
      const json = JSON.parse(JSON.stringify(detector));
      expect(json.models[0].scaler).toBeNull();
      expect(AnomalyDetector.fromJSON(json).score(table)).toEqual(detector.score(table));
    });

    describe('refuses a bad document with a ModelFormatError saying what is wrong', () => {
      const detector = AnomalyDetector.train(telemetry(), { forest: { nEstimators: 10 } });
      const cases: Array<[string, (doc: any) => unknown, string]> = [
        ['not an object', () => 'model', 'the model must be a JSON object'],
        ['another kind', (doc) => ({ ...doc, kind: 'something-else' }), 'kind is "something-else"'],
        [
          'a newer version',
          (doc) => ({ ...doc, formatVersion: 2 }),
          'formatVersion 2 is not supported; this engine reads version 1',
        ],
        ['an unknown mode', (doc) => ({ ...doc, mode: 'both' }), 'mode is "both"'],
        [
          'unresolved seasonality',
          (doc) => ({ ...doc, features: { ...doc.features, seasonality: 'auto' } }),
          'features.seasonality must be resolved to { hourOfDay: boolean, dayOfWeek: boolean }, got "auto"',
        ],
        [
          'a bad feature option',
          (doc) => ({ ...doc, features: { ...doc.features, window: 0 } }),
          'features: feature option window',
        ],
        [
          'feature names that do not fit the options',
          (doc) => {
            doc.models[0].featureNames[1] = 'renamed';
            return doc;
          },
          'featureNames do not match the feature options',
        ],
        [
          'a missing scaler',
          (doc) => {
            doc.models[0].scaler = null;
            return doc;
          },
          'scaler must be present',
        ],
        ['a model too many', (doc) => ({ ...doc, models: [doc.models[0], doc.models[0]] }), 'needs 1 models, found 2'],
        [
          'a corrupted forest',
          (doc) => {
            doc.models[0].forest.formatVersion = 99;
            return doc;
          },
          'isolation forest',
        ],
      ];
      it.each(cases)('%s', (_label, corrupt, message) => {
        const doc = corrupt(JSON.parse(JSON.stringify(detector)));
        expect(() => AnomalyDetector.fromJSON(doc)).toThrow(ModelFormatError);
        expect(() => AnomalyDetector.fromJSON(doc)).toThrow(message);
      });
    });
  });

  describe('refuses unusable training data with a clear EngineInputError', () => {
    it('too few rows, saying how many are needed', () => {
      const table = headRows(telemetry(), 11 + MIN_TRAINING_ROWS - 1);
      expectEngineError(
        () => AnomalyDetector.train(table),
        'too-few-rows',
        'the table has 7 usable rows',
        'training needs 19 complete rows: 11 warm-up rows (for lags 1, the difference, window 12) plus at least 8 rows to fit on'
      );
      expect(() => AnomalyDetector.train(headRows(telemetry(), 19))).not.toThrow();
    });

    it('too few rows because of missing values, naming the column', () => {
      const table = headRows(telemetry(), 30);
      table.columns[0].values.fill(NaN, 5, 20);
      const error = expectEngineError(
        () => AnomalyDetector.train(table, { mode: 'per-column' }),
        'too-few-rows',
        "column 'cpu_percent' has 4 usable rows",
        "15 of its 30 rows have a missing value ('cpu_percent': 15)"
      );
      expect(error.column).toBe('cpu_percent');
    });

    it.each([
      ['raw', { raw: true }],
      ['engineered', {}],
    ])('accepts a constant column (%s mode) as scikit-learn does: no tree ever splits on it', (_label, features) => {
      const table = telemetry();
      table.columns[0].values.fill(3);
      const detector = AnomalyDetector.train(table, { features });
      const [result] = detector.score(table);
      expect(new Set(Array.from(result.scores)).size).toBeGreaterThan(1); // the other column still separates rows
      // A feature's explanation weight comes from the splits on it: every feature of the constant column has none.
      const rows = Array.from({ length: result.rowIndex.length }, (_, i) => i);
      expect(detector.featureNames.some((name) => name.startsWith('cpu_percent'))).toBe(true);
      for (const contributions of detector.explainMany(table, result, rows)) {
        for (const { name, weight } of contributions) {
          if (name!.startsWith('cpu_percent')) {
            expect({ name, weight }).toEqual({ name, weight: 0 });
          }
        }
      }
    });

    it('infinite values, naming column and row', () => {
      const table = telemetry();
      table.columns[1].values[17] = Infinity;
      expectEngineError(
        () => AnomalyDetector.train(table),
        'not-finite',
        "column 'memory_free_mb' is Infinity at row 17"
      );
    });

    it('unsorted timestamps, naming the row', () => {
      const table = telemetry();
      table.timestamps[50] = table.timestamps[49];
      expectEngineError(() => AnomalyDetector.train(table), 'unsorted', 'row 50', 'repeats that of row 49');
    });

    it('invalid forest parameters and modes', () => {
      expectEngineError(
        () => AnomalyDetector.train(telemetry(), { forest: { nEstimators: 0 } }),
        'invalid-option',
        'nEstimators'
      );
      expectEngineError(
        () => AnomalyDetector.train(telemetry(), { mode: 'both' as never }),
        'invalid-option',
        "mode must be 'multivariate' or 'per-column'"
      );
    });
  });

  describe('refuses scoring tables whose columns do not match', () => {
    const detector = AnomalyDetector.train(telemetry(), { forest: { nEstimators: 10 } });

    it('a trained column is missing', () => {
      const table = telemetry();
      table.columns.pop();
      expectEngineError(() => detector.score(table), 'missing-column', "the table has no column 'memory_free_mb'");
    });

    it('a column the detector does not know', () => {
      const table = telemetry();
      table.columns.push({ name: 'disk_io', values: new Float64Array(table.timestamps.length) });
      expectEngineError(() => detector.score(table), 'unknown-column', "not trained on column 'disk_io'");
    });

    it('accepts the trained columns in another order', () => {
      const table = telemetry();
      const reversed = { ...table, columns: [...table.columns].reverse() };
      expect(detector.score(reversed)).toEqual(detector.score(table));
    });
  });

  it('explain refuses a result from another table', () => {
    const table = telemetry();
    const detector = AnomalyDetector.train(table, { forest: { nEstimators: 10 } });
    const [result] = detector.score(table);
    expectEngineError(
      () => detector.explain(sliceRows(table, 0, 100), result, 100),
      'result-mismatch',
      'not produced by score() on this table'
    );
  });

  it('flags a value far beyond a tight column’s spread (scaled past float32) instead of failing', () => {
    // Before: "IsolationForest.batchScorer: value at row … is Infinity" (1e36 over a scale of ~3e-4).
    const table = syntheticTable(300, { cpu_percent: { level: 50, noise: 0.001, seed: 3 } });
    table.columns[0].values[250] = 1e36;
    const [result] = AnomalyDetector.train(headRows(table, 200)).score(table);
    expect(result.scores.every(Number.isFinite)).toBe(true);
    const spike = Array.from(result.rowIndex).indexOf(250);
    expect(result.isAnomaly[spike]).toBe(1);
  });

  it('scores in raw mode from the plain columns, with no warm-up', () => {
    const { training, scored } = spiked();
    const detector = AnomalyDetector.train(training, { features: { raw: true } });
    expect(detector.featureNames).toEqual(['cpu_percent', 'memory_free_mb']);
    const [result] = detector.score(scored);
    expect(result.warmupRows).toEqual([]);
    expect(result.isAnomaly[SPIKE_ROW]).toBe(1);
  });

  it('does not feed absolute time to the model: shifting the table by whole weeks changes no score', () => {
    const table = telemetry();
    const shifted = { ...table, timestamps: table.timestamps.map((t) => t + 3 * 7 * 24 * HOUR_MS) };
    expect(AnomalyDetector.train(shifted).score(shifted)[0].scores).toEqual(
      AnomalyDetector.train(table).score(table)[0].scores
    );
  });
});

describe('a model whose metrics are constant over its training rows', () => {
  it('does not split on the time features either: every row scores alike, whatever its hour (per-column: that model)', () => {
    // A forest that could split on the time of day only scored the hour: the same minutes flagged every day.
    const rows = 3 * 288; // 3 days at 5 minutes: seasonality 'auto' turns the hour of day on
    const timestamps = Float64Array.from({ length: rows }, (_, i) => 1_700_000_000_000 + i * 300_000);
    const cpu = Float64Array.from(timestamps, (_, i) => 50 + 10 * Math.sin(i / 20) + ((i * 7919) % 13));
    const table: SeriesTable = {
      timestamps,
      columns: [
        { name: 'errors', values: new Float64Array(rows) },
        { name: 'cpu', values: cpu },
      ],
    };
    const detector = AnomalyDetector.train(table, { mode: 'per-column', forest: { nEstimators: 30, seed: 3 } });
    expect(detector.featureNames).toContain('hour of day (sin)');
    const [errors, cpuScores] = detector.score(table);
    expect(new Set(errors.scores)).toEqual(new Set([0.5])); // exactly 2^-1: no path is shorter than the average
    // So contamination 'auto' (score > 0.5) flags none of them (a review: 0.5000000000000001 flagged every row).
    detector.setContamination('auto');
    expect(detector.score(table)[0].isAnomaly.every((flag) => flag === 0)).toBe(true);
    expect(new Set(cpuScores.scores).size).toBeGreaterThan(100);
    // The varying metric's model still splits on the hour: the same values at other hours score otherwise.
    const shifted = { ...table, timestamps: timestamps.map((t) => t + 6 * 3_600_000) };
    const [, cpuShifted] = detector.score(shifted);
    expect(Array.from(cpuShifted.scores)).not.toEqual(Array.from(cpuScores.scores));
  });
});

describe('a series far from 0 that varies little (float32 precision)', () => {
  // A CLI review: a disk of 1.2e12 bytes changing by ~10 kB scored as if constant. Features were rounded to float32
  // (steps of 131 072 at 1.2e12) before being scaled; they are now scaled from their float64 values, as pandas and
  // scikit-learn scale them, and rounded once.
  const rows = 2000;
  const noise = Float64Array.from({ length: rows }, (_, i) => 1e4 * Math.sin(i * 0.7) + 3e3 * Math.cos(i * 1.3));
  noise[1500] += 2e5; // a jump of 20 noise amplitudes
  const table = (level: number): SeriesTable => ({
    timestamps: Float64Array.from({ length: rows }, (_, i) => 1.7e12 + i * MINUTE_MS),
    columns: [{ name: 'disk_used_bytes', values: Float64Array.from(noise, (v) => level + v) }],
  });
  const scored = (level: number) => {
    const detector = AnomalyDetector.train(headRows(table(level), 1000), { forest: { seed: 4 } });
    return detector.score(table(level))[0];
  };

  it('scores the series at 1.2e12 as the same series at 0', () => {
    const far = scored(1.2e12);
    const near = scored(0);
    let largest = 0;
    for (let i = 0; i < far.scores.length; i++) {
      largest = Math.max(largest, Math.abs(far.scores[i] - near.scores[i]));
    }
    expect(largest).toBeLessThan(0.01);
    const jump = Array.from(far.rowIndex).indexOf(1500);
    expect(far.isAnomaly[jump]).toBe(1);
    expect(Array.from(far.isAnomaly)).toEqual(Array.from(near.isAnomaly));
  });
});

describe('a model written before features were scaled from float64', () => {
  // A review: the stored scaler (and forest) of an earlier model were fitted on features rounded to float32 first;
  // applied to float64 features they scored 3 989 of 3 989 rows differently. Such a model is applied as it was.
  const rows = 600;
  const table: SeriesTable = {
    timestamps: Float64Array.from({ length: rows }, (_, i) => 1.7e12 + i * MINUTE_MS),
    columns: [{ name: 'm', values: Float64Array.from({ length: rows }, (_, i) => 1.2e12 + 1e4 * Math.sin(i * 0.7)) }],
  };
  const features = { window: 12, lags: 3, seasonality: false as const };

  it('builds its features as the earlier engine did: rounded to float32, then scaled', () => {
    const resolved = resolveFeatureOptions(features);
    const unscaled = buildFeatures(table, resolved).matrix;
    // A scaler as the earlier engine wrote it (no appliedTo), fitted on the float32 features.
    const legacy = StandardScaler.fromJSON(new StandardScaler().fit(unscaled).toJSON());
    const before = legacy.transform(unscaled);
    const now = runSteps(buildFeatureSteps(table, resolved, undefined, legacy.statistics)).matrix;
    expect(legacy.statistics.roundFirst).toBe(true);
    expect(Array.from(now.values)).toEqual(Array.from(before.values));
  });

  it('a model written now says its scaler applies to float64 features, and reads back so', () => {
    const detector = AnomalyDetector.train(table, { features, forest: { seed: 1 } });
    const json = detector.toJSON() as unknown as { models: Array<{ scaler: { appliedTo?: string } }> };
    expect(json.models[0].scaler.appliedTo).toBe('float64');
    const again = AnomalyDetector.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(Array.from(again.score(table)[0].scores)).toEqual(Array.from(detector.score(table)[0].scores));
  });
});
