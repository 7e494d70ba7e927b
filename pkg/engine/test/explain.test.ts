import { IsolationForest } from '@telemetry-analyzer/engine';
import { gaussianMatrix } from './gaussianMatrix';

describe('IsolationForest.explain', () => {
  const cols = 5;
  const x = gaussianMatrix(600, cols, 21);

  it.each([0, 2, 4])('ranks first the one feature (%p) that carries the outlier', (outlierFeature) => {
    const data = { ...x, values: Float32Array.from(x.values) };
    const outlierRow = 17;
    // Typical (0) in every feature but one.
    data.values.fill(0, outlierRow * cols, (outlierRow + 1) * cols);
    data.values[outlierRow * cols + outlierFeature] = 7;
    const forest = new IsolationForest().fit(data);
    const contributions = forest.explain(data, outlierRow);
    expect(contributions[0].feature).toBe(outlierFeature);
    expect(contributions[0].weight).toBeGreaterThan(0.5);
  });

  it('returns weights that sum to 1, sorted descending, each feature once, top-N when asked', () => {
    const forest = new IsolationForest().fit(x);
    for (const row of [0, 100, 599]) {
      const contributions = forest.explain(x, row);
      expect(contributions).toHaveLength(cols);
      expect(new Set(contributions.map((c) => c.feature)).size).toBe(cols);
      expect(contributions.reduce((sum, c) => sum + c.weight, 0)).toBeCloseTo(1, 12);
      for (let i = 1; i < contributions.length; i++) {
        expect(contributions[i - 1].weight).toBeGreaterThanOrEqual(contributions[i].weight);
      }
      expect(forest.explain(x, row, 2)).toEqual(contributions.slice(0, 2));
    }
  });

  it('survives serialisation (the training baseline is stored with the model)', () => {
    const forest = new IsolationForest().fit(x);
    const restored = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
    expect(restored.explain(x, 42)).toEqual(forest.explain(x, 42));
  });

  it('derives the training baseline on first need, the same wherever: handed over before, after, and by a file', () => {
    const forest = new IsolationForest().fit(x);
    const before = forest.toTransfer();
    expect(before.trainingPathWeights).toBeUndefined(); // a fit that never explains does not compute it
    const fromFile = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
    const after = forest.toTransfer();
    expect(after.trainingPathWeights).toBeInstanceOf(Float64Array);
    for (const row of [3, 42, 599]) {
      const expected = forest.explain(x, row);
      expect(IsolationForest.fromTransfer(before).explain(x, row)).toEqual(expected);
      expect(IsolationForest.fromTransfer(after).explain(x, row)).toEqual(expected);
      expect(fromFile.explain(x, row)).toEqual(expected);
    }
  });

  it('rejects rows outside the matrix', () => {
    const forest = new IsolationForest().fit(x);
    expect(() => forest.explain(x, 600)).toThrow(/row must be an integer in \[0, 600\)/);
    expect(() => forest.explain(x, -1)).toThrow(/row must be/);
  });
});
