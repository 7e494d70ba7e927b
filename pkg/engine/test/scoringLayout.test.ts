import { IsolationForest, type FeatureMatrix } from '@telemetry-analyzer/engine';
import { referenceScores } from './referenceTreeWalk';
import { float32AtMost } from '../src/scoringLayout';
import { createRandom } from '../src/random';

/** The next float32 above a float32 `f` (towards +Infinity). */
function nextFloat32Up(f: number): number {
  const scratch = new Float32Array([f]);
  const bits = new Int32Array(scratch.buffer);
  if (Object.is(f, -0) || f === 0) {
    return 2 ** -149;
  }
  bits[0] += f > 0 ? 1 : -1;
  return scratch[0];
}

describe('float32AtMost: the largest float32 <= a double (so x <= t32 is exactly x <= t64 for float32 x)', () => {
  const random = createRandom(3);
  const values = [0, -0, 1, -1, 0.1, -0.1, 1e-45, -1e-45, 3.4e38, 3.5e38, -3.5e38, Infinity, 1 / 3, -(2 ** -149) / 3];
  for (let i = 0; i < 2000; i++) {
    const magnitude = 10 ** (random.nextFloat() * 80 - 40);
    values.push((random.nextFloat() < 0.5 ? -1 : 1) * magnitude * random.nextFloat());
  }

  it('holds for signed zeros, subnormals, the float32 range edges, +Infinity and 2000 random doubles', () => {
    const wrong = values.filter((value) => {
      const result = float32AtMost(value);
      const isFloat32 = Object.is(Math.fround(result), result);
      const largest = result === Infinity || nextFloat32Up(result) > value;
      return !(isFloat32 && result <= value && largest);
    });
    expect(wrong).toEqual([]);
  });
});

describe('the scoring layout in every array width a model may need', () => {
  /** Uniform values in [0, 10). */
  function uniformMatrix(rows: number, cols: number, seed: number): FeatureMatrix {
    const random = createRandom(seed);
    const values = new Float32Array(rows * cols);
    for (let i = 0; i < values.length; i++) {
      values[i] = random.nextFloat() * 10;
    }
    return { rows, cols, values };
  }

  // [what it exercises, params, rows, cols]
  it.each([
    ['Uint8 features, Uint16 leaf indices, Int16 child ids', { nEstimators: 20 }, 2000, 7],
    ['Uint16 layout features (> 256 columns), Int16 tree features', { nEstimators: 9 }, 300, 300],
    ['Int32 features (> 65536 columns)', { nEstimators: 3 }, 10, 70000],
    ['Int32 child ids (> 32768 nodes)', { nEstimators: 60, maxSamples: 1000, bootstrap: true }, 3000, 3],
    ['Int32 sample counts (> 65535 rows per tree)', { nEstimators: 2, maxSamples: 70000 }, 70000, 2],
    ['Uint32 leaf indices (> 65536 possible path lengths)', { nEstimators: 20, maxSamples: 8000 }, 8000, 2],
  ])('%s: scores equal a plain tree walk, before and after a JSON round trip', (_what, params, rows, cols) => {
    const x = uniformMatrix(rows, cols, rows + cols);
    const forest = new IsolationForest(params).fit(x);
    const sampled = Array.from({ length: 50 }, (_, i) => Math.floor((i * rows) / 50));
    const expected = referenceScores(forest, x, sampled);
    const loaded = IsolationForest.fromJSON(JSON.parse(JSON.stringify(forest.toJSON())));
    for (const scored of [forest, loaded]) {
      const scores = scored.anomalyScores(x);
      expect(sampled.map((row) => scores[row])).toEqual(expected);
    }
    expect(JSON.stringify(loaded.toJSON())).toBe(JSON.stringify(forest.toJSON()));
  });
});
