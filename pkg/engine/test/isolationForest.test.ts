import { readFileSync } from 'fs';
import { join } from 'path';
import { runInNewContext } from 'vm';
import { IsolationForest, type FeatureMatrix } from '@telemetry-analyzer/engine';
import { buildScoringLayout } from '../src/scoringLayout';
import { gaussianMatrix } from './gaussianMatrix';
import { referenceScores } from './referenceTreeWalk';
import { percentileLinear, rocAuc, spearman } from './stats';

interface MatrixJson {
  rows: number;
  cols: number;
  values: number[];
}
const toMatrix = (m: MatrixJson): FeatureMatrix => ({
  rows: m.rows,
  cols: m.cols,
  values: Float32Array.from(m.values),
});
// Counted, not changed: to see how often the dense layout is built (batchScorer keeps one).
jest.mock('../src/scoringLayout', () => {
  const actual = jest.requireActual('../src/scoringLayout');
  return { ...actual, buildScoringLayout: jest.fn(actual.buildScoringLayout) };
});

const loadFixture = <T>(name: string): T => JSON.parse(readFileSync(join(__dirname, 'fixtures', name), 'utf8'));

const countFlagged = (labels: Uint8Array): number => labels.reduce((sum, label) => sum + label, 0);

describe('IsolationForest against scikit-learn 1.2.1', () => {
  const ranking = loadFixture<{
    x: MatrixJson;
    cases: Array<{ params: Record<string, number | boolean>; maxSamplesUsed: number; scores: number[] }>;
  }>('score-ranking.json');
  const x = toMatrix(ranking.x);

  it('ranks points like sklearn with 2000 trees (Spearman >= 0.98)', () => {
    const sklearnCase = ranking.cases[0];
    const forest = new IsolationForest({ nEstimators: 2000, maxSamples: 256, seed: 1 }).fit(x);
    expect(spearman(forest.anomalyScores(x), sklearnCase.scores)).toBeGreaterThanOrEqual(0.98);
  });

  it('ranks like sklearn with fractional maxSamples, maxFeatures 0.5 and bootstrap', () => {
    const sklearnCase = ranking.cases[1];
    expect(sklearnCase.params).toEqual({ n_estimators: 2000, max_samples: 0.5, max_features: 0.5, bootstrap: true });
    const forest = new IsolationForest({ nEstimators: 2000, maxSamples: 0.5, maxFeatures: 0.5, bootstrap: true });
    forest.fit(x);
    expect(forest.toJSON().maxSamplesUsed).toBe(sklearnCase.maxSamplesUsed);
    expect(spearman(forest.anomalyScores(x), sklearnCase.scores)).toBeGreaterThanOrEqual(0.98);
  });

  it.each([
    ['256 samples', 0, { nEstimators: 2000, maxSamples: 256 }],
    // With bootstrap a leaf counts the distinct rows drawn, as sklearn's n_node_samples: counting the duplicates
    // shifted every score by about -0.011.
    [
      'bootstrap, maxSamples 0.5, maxFeatures 0.5',
      1,
      { nEstimators: 2000, maxSamples: 0.5, maxFeatures: 0.5, bootstrap: true },
    ],
  ])(
    'scores on the same scale as sklearn (%s: mean difference and mean absolute difference < 0.01)',
    (_label, c, params) => {
      const sklearnCase = ranking.cases[c];
      const scores = new IsolationForest(params).fit(x).anomalyScores(x);
      const meanDifference = scores.reduce((sum, s, i) => sum + (s - sklearnCase.scores[i]), 0) / x.rows;
      const meanAbsoluteDifference =
        scores.reduce((sum, s, i) => sum + Math.abs(s - sklearnCase.scores[i]), 0) / x.rows;
      expect(Math.abs(meanDifference)).toBeLessThan(0.005);
      expect(meanAbsoluteDifference).toBeLessThan(0.01);
    }
  );

  it("treats a feature as constant in a node exactly where sklearn's float32 tolerance does", () => {
    // Spread of one float32 step above 1: 1 + 2^-23 - 1 = 1.19e-7 > 1e-7 in float64, but min + fround(1e-7) rounds
    // to 1 + 2^-23 in float32, so sklearn (and we) never split on it.
    const values = new Float32Array(64).map((_, i) => (i % 2 === 0 ? 1 : 1 + 2 ** -23));
    const forest = new IsolationForest({ nEstimators: 5, seed: 3 }).fit({ rows: 64, cols: 1, values });
    expect(forest.toJSON().trees.nodeCount).toBe(5); // five single-leaf trees: no split anywhere
  });

  it('finds labelled outliers as well as sklearn (ROC-AUC within 0.02)', () => {
    const labelled = loadFixture<{ x: MatrixJson; labels: number[]; sklearnMeanAuc: number }>('labelled-outliers.json');
    const data = toMatrix(labelled.x);
    // Like the fixture's reference (mean over 20 sklearn seeds), average a few seeds: one forest's AUC varies ~0.0075.
    const seeds = [42, 1, 2, 3, 4];
    const aucs = seeds.map((seed) =>
      rocAuc(labelled.labels, new IsolationForest({ seed }).fit(data).anomalyScores(data))
    );
    const meanAuc = aucs.reduce((a, b) => a + b, 0) / aucs.length;
    expect(Math.abs(meanAuc - labelled.sklearnMeanAuc)).toBeLessThanOrEqual(0.02);
    expect(Math.abs(aucs[0] - labelled.sklearnMeanAuc)).toBeLessThanOrEqual(0.03); // the default seed alone
  });
});

describe('IsolationForest thresholds', () => {
  const x = gaussianMatrix(1000, 3, 5);

  it.each([0.01, 0.05, 0.1, 0.25, 0.5])('contamination %p flags that share of the training rows (± 1 row)', (c) => {
    const forest = new IsolationForest({ contamination: c }).fit(x);
    expect(Math.abs(countFlagged(forest.predict(x)) - c * x.rows)).toBeLessThanOrEqual(1);
  });

  it.each([0.01, 0.1, 0.37])(
    'threshold for contamination %p is -np.percentile(-scores, 100c) of the training scores',
    (c) => {
      const forest = new IsolationForest({ contamination: c }).fit(x);
      const negatedScores = Array.from(forest.anomalyScores(x), (s) => -s);
      expect(forest.threshold).toBeCloseTo(-percentileLinear(negatedScores, 100 * c), 12);
    }
  );

  it("'auto' uses the threshold 0.5", () => {
    const forest = new IsolationForest().fit(x);
    expect(forest.params.contamination).toBe('auto');
    expect(forest.threshold).toBe(0.5);
    const scores = forest.anomalyScores(x);
    const labels = forest.predict(x);
    scores.forEach((score, i) => expect(labels[i]).toBe(score > 0.5 ? 1 : 0));
  });

  it('setContamination re-thresholds without refitting', () => {
    const forest = new IsolationForest({ contamination: 0.02 }).fit(x);
    const scoresBefore = forest.anomalyScores(x);
    expect(Math.abs(countFlagged(forest.predict(x)) - 20)).toBeLessThanOrEqual(1);
    forest.setContamination(0.2);
    expect(forest.params.contamination).toBe(0.2);
    expect(Math.abs(countFlagged(forest.predict(x)) - 200)).toBeLessThanOrEqual(1);
    expect(forest.anomalyScores(x)).toEqual(scoresBefore); // same trees
    forest.setContamination('auto');
    expect(forest.threshold).toBe(0.5);
    expect(() => forest.setContamination(0.7)).toThrow(/contamination must be 'auto' or a number in \(0, 0.5\]/);
  });
});

describe('IsolationForest.releaseTrainingData (for hosts that keep many models, like the proxy)', () => {
  const x = gaussianMatrix(800, 4, 5);

  it.each([0.05, 'auto' as const])(
    'keeps scores, flags, explanations and the threshold of contamination %s',
    (contamination) => {
      const kept = new IsolationForest({ seed: 3, contamination }).fit(x);
      const released = new IsolationForest({ seed: 3, contamination }).fit(x);
      released.releaseTrainingData();
      released.releaseTrainingData(); // idempotent
      expect(released.threshold).toBe(kept.threshold);
      expect(released.anomalyScores(x)).toEqual(kept.anomalyScores(x));
      expect(released.predict(x)).toEqual(kept.predict(x));
      expect(released.explain(x, 17)).toEqual(kept.explain(x, 17));
    }
  );

  it('refuses what needs the training scores, with a message saying why, and stays as it was', () => {
    const released = new IsolationForest({ seed: 3, contamination: 0.05 }).fit(x);
    released.releaseTrainingData();
    const threshold = released.threshold;
    expect(() => released.setContamination(0.2)).toThrow(/released its training data.*re-thresholded/);
    expect(released.params.contamination).toBe(0.05);
    expect(released.threshold).toBe(threshold);
    expect(() => released.toJSON()).toThrow(/released its training data.*saved/);
    released.setContamination('auto'); // needs no training scores
    expect(released.threshold).toBe(0.5);
  });
});

describe('IsolationForest scores', () => {
  const x = gaussianMatrix(500, 4, 9);

  it('are in (0, 1] and highest for a far-away point', () => {
    const withOutlier = { ...x, values: Float32Array.from(x.values) };
    withOutlier.values.set([8, -8, 8, -8], 0);
    const scores = new IsolationForest().fit(withOutlier).anomalyScores(withOutlier);
    scores.forEach((s) => expect(s > 0 && s <= 1).toBe(true));
    expect(scores.indexOf(Math.max(...scores))).toBe(0);
    expect(scores[0]).toBeGreaterThan(0.6);
  });

  it('are identical for the same seed and differ for another seed', () => {
    const a = new IsolationForest({ seed: 7 }).fit(x).anomalyScores(x);
    const b = new IsolationForest({ seed: 7 }).fit(x).anomalyScores(x);
    const c = new IsolationForest({ seed: 8 }).fit(x).anomalyScores(x);
    expect(Buffer.from(a.buffer).equals(Buffer.from(b.buffer))).toBe(true);
    expect(a).not.toEqual(c);
  });

  it('do not depend on how rows are batched, and can be written into a given array', () => {
    const forest = new IsolationForest({ nEstimators: 37 }).fit(x); // not a multiple of the lock-step width
    const all = forest.anomalyScores(x);
    const oneRow: FeatureMatrix = { rows: 1, cols: 4, values: x.values.slice(4 * 123, 4 * 124) };
    const out = new Float64Array(3).fill(-1);
    forest.anomalyScores(oneRow, out);
    expect(out[0]).toBe(all[123]);
    expect(out[1]).toBe(-1);
  });

  it("take a Float32Array of another realm (as a worker's message can give), and nothing else", () => {
    const forest = new IsolationForest({ nEstimators: 20 }).fit(x);
    const rows = x.values.slice(0, 4 * 5);
    const foreign = runInNewContext('(values) => new Float32Array(values)')(Array.from(rows)) as Float32Array;
    expect(foreign instanceof Float32Array).toBe(false);
    expect(Array.from(forest.anomalyScores({ rows: 5, cols: 4, values: foreign }))).toEqual(
      Array.from(forest.anomalyScores({ rows: 5, cols: 4, values: rows }))
    );
    const doubles = Float64Array.from(rows) as unknown as Float32Array;
    expect(() => forest.anomalyScores({ rows: 5, cols: 4, values: doubles })).toThrow(/values must be a Float32Array/);
  });

  it("from a batch scorer are anomalyScores' doubles, batch after batch, with one layout kept between them", () => {
    const forest = new IsolationForest({ nEstimators: 37 }).fit(x);
    const all = forest.anomalyScores(x);
    const builds = jest.mocked(buildScoringLayout);
    builds.mockClear();
    const score = forest.batchScorer();
    // 1 and 3 rows: walked while no layout is kept (denseLayoutPays), by the kept layout after the batch of 200.
    const batches = [
      [0, 1],
      [1, 4],
      [4, 204],
      [204, 205],
      [205, 208],
      [208, 500],
    ];
    const scores = new Float64Array(x.rows).fill(-1);
    for (const [from, to] of batches) {
      const rows = { rows: to - from, cols: 4, values: x.values.subarray(4 * from, 4 * to) };
      const out = scores.subarray(from, to);
      expect(score(rows, out)).toBe(out);
    }
    expect(Buffer.from(scores.buffer).equals(Buffer.from(all.buffer))).toBe(true);
    expect(builds).toHaveBeenCalledTimes(1);
    expect(() => score({ rows: 2, cols: 4, values: x.values.subarray(0, 8) }, new Float64Array(1))).toThrow(
      /batchScorer: out has 1 entries, need at least 2/
    );
    // After a new fit the scorer scores with the new trees, through a layout of theirs.
    forest.fit(gaussianMatrix(300, 4, 5));
    const refitted = score(x);
    expect(builds).toHaveBeenCalledTimes(2);
    expect(Array.from(refitted)).toEqual(Array.from(forest.anomalyScores(x)));
    expect(Array.from(refitted)).not.toEqual(Array.from(all));
  });

  it('match a reference tree walk over the stored trees', () => {
    // Independent of the scoring layout: walk toJSON's node arrays the plain way and apply the score formula.
    const forest = new IsolationForest({ nEstimators: 20, maxSamples: 100 }).fit(x);
    const scores = forest.anomalyScores(x);
    const rows = Array.from({ length: Math.ceil(x.rows / 7) }, (_, i) => i * 7);
    expect(rows.map((row) => scores[row])).toEqual(referenceScores(forest, x, rows));
  });

  it('give 0.5 everywhere when each tree has a single row, as sklearn', () => {
    const forest = new IsolationForest({ maxSamples: 0.003 }).fit(x); // floor(0.003 * 500) = 1 row per tree
    expect(Array.from(forest.anomalyScores(x)).every((s) => s === 0.5)).toBe(true);
  });
});

describe('IsolationForest parameters', () => {
  const x = gaussianMatrix(50, 3, 2);

  it('fills in the documented defaults', () => {
    expect(new IsolationForest().params).toEqual({
      nEstimators: 100,
      maxSamples: 'auto',
      maxFeatures: 1,
      bootstrap: false,
      contamination: 'auto',
      seed: 42,
    });
  });

  it.each([
    [{ contamination: 0.7 }, /contamination must be 'auto' or a number in \(0, 0.5\], got 0.7/],
    [{ contamination: 0 }, /contamination/],
    [{ nEstimators: 0 }, /nEstimators must be an integer >= 1, got 0/],
    [{ nEstimators: 2.5 }, /nEstimators/],
    [{ maxSamples: 0 }, /maxSamples must be 'auto', a fraction in \(0, 1\] or an integer row count > 1/],
    [{ maxSamples: 10.5 }, /maxSamples/],
    [{ maxFeatures: 0 }, /maxFeatures must be a fraction in \(0, 1\] or an integer column count > 1/],
    [{ maxFeatures: -1 }, /maxFeatures/],
    [{ seed: -3 }, /seed must be an integer in \[0, 4294967295\]/],
  ])('rejects %p', (params, message) => {
    expect(() => new IsolationForest(params as never)).toThrow(message);
  });

  it('clips an integer maxSamples above the row count to the row count, as sklearn', () => {
    const clipped = new IsolationForest({ maxSamples: 1000 }).fit(x);
    const exact = new IsolationForest({ maxSamples: 50 }).fit(x);
    expect(clipped.toJSON().maxSamplesUsed).toBe(50);
    expect(clipped.anomalyScores(x)).toEqual(exact.anomalyScores(x));
  });

  it('resolves maxSamples auto/fraction and maxFeatures as sklearn', () => {
    expect(new IsolationForest().fit(gaussianMatrix(300, 2, 1)).toJSON().maxSamplesUsed).toBe(256);
    expect(new IsolationForest().fit(x).toJSON().maxSamplesUsed).toBe(50);
    expect(new IsolationForest({ maxSamples: 0.3 }).fit(x).toJSON().maxSamplesUsed).toBe(15);
    expect(() => new IsolationForest({ maxSamples: 0.01 }).fit(x)).toThrow(/leaves no row/);
    expect(() => new IsolationForest({ maxFeatures: 4 }).fit(x)).toThrow(/maxFeatures 4 exceeds the 3 columns/);
  });

  it('uses only maxFeatures features per tree', () => {
    const forest = new IsolationForest({ maxFeatures: 0.34, nEstimators: 30 }).fit(x); // max(1, floor(1.02)) = 1
    const model = forest.toJSON();
    const bytes = Buffer.from(model.trees.feature, 'base64');
    const features = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    const roots = Buffer.from(model.trees.roots, 'base64');
    const rootIds = new Int32Array(roots.buffer.slice(roots.byteOffset, roots.byteOffset + roots.byteLength));
    const usedPerTree = Array.from(rootIds, (root, t) => {
      const end = t + 1 < rootIds.length ? rootIds[t + 1] : features.length;
      return new Set(Array.from(features.subarray(root, end)).filter((f) => f >= 0)).size;
    });
    expect(Math.max(...usedPerTree)).toBe(1);
    expect(new Set(Array.from(features).filter((f) => f >= 0)).size).toBe(3); // different trees, different features
  });

  it('rejects bad matrices and use before fit with clear messages', () => {
    const forest = new IsolationForest();
    expect(() => forest.anomalyScores(x)).toThrow(/not fitted/);
    expect(() => forest.threshold).toThrow(/not fitted/);
    expect(() => forest.fit({ rows: 0, cols: 3, values: new Float32Array(0) })).toThrow(/no rows/);
    expect(() => forest.fit({ rows: 2, cols: 3, values: new Float32Array(5) })).toThrow(/expected rows \* cols = 6/);
    const withNaN = { ...x, values: Float32Array.from(x.values) };
    withNaN.values[7] = NaN;
    expect(() => forest.fit(withNaN)).toThrow(/row 2, column 1 is NaN/);
    forest.fit(x);
    expect(() => forest.anomalyScores(gaussianMatrix(5, 2, 1))).toThrow(/2 columns, the forest was fitted on 3/);
  });

  it('handles constant columns and duplicate rows', () => {
    const values = new Float32Array(200 * 2);
    for (let r = 0; r < 200; r++) {
      values.set([5, r % 2], 2 * r);
    } // column 0 constant, column 1 two values
    const data = { rows: 200, cols: 2, values };
    const forest = new IsolationForest().fit(data);
    const scores = forest.anomalyScores(data);
    scores.forEach((s) => expect(Number.isFinite(s) && s > 0 && s <= 1).toBe(true));
    expect(new Set(scores).size).toBeLessThanOrEqual(2);
  });
});

describe('IsolationForest.adoptTrainingScores (internal, for AnomalyDetector.trainAndScore)', () => {
  it('thresholds from the adopted training scores instead of scoring the rows again', () => {
    const x = gaussianMatrix(300, 3, 21);
    const adopted = new IsolationForest({ contamination: 0.05, nEstimators: 30 }).fit(x);
    const computed = new IsolationForest({ contamination: 0.05, nEstimators: 30 }).fit(x);
    adopted.adoptTrainingScores(adopted.anomalyScores(x));
    expect(adopted.threshold).toBe(computed.threshold);
    expect(adopted.toJSON()).toEqual(computed.toJSON());

    // The threshold really comes from what was handed over: all-zero scores put it at 0.
    const fooled = new IsolationForest({ contamination: 0.05, nEstimators: 30 }).fit(x);
    fooled.adoptTrainingScores(new Float64Array(300));
    expect(fooled.threshold).toBe(0);
  });

  it('refuses scores that are not one per training row, and use before fit', () => {
    const x = gaussianMatrix(50, 2, 22);
    expect(() => new IsolationForest().adoptTrainingScores(new Float64Array(50))).toThrow(/not fitted/);
    const forest = new IsolationForest({ nEstimators: 5 }).fit(x);
    expect(() => forest.adoptTrainingScores(new Float64Array(49))).toThrow(
      /expected a Float64Array of 50 scores \(one per training row\), got 49/
    );
  });
});
