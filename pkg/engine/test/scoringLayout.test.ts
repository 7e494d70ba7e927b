import { IsolationForest, type FeatureMatrix } from '@telemetry-analyzer/engine';
import { referenceScores, referenceScoresOf } from './referenceTreeWalk';
import { float32AtMost } from '../src/compactTrees';
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
    ['many nodes (> 32768 in the forest), bootstrap', { nEstimators: 60, maxSamples: 1000, bootstrap: true }, 3000, 3],
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

  it.each([
    ['Uint8 features, Int16 children', { nEstimators: 20 }, 2000, 7],
    ['Int32 children (> 32768 rows per tree)', { nEstimators: 2, maxSamples: 40000 }, 40000, 2],
    ['a single-leaf tree (constant rows)', { nEstimators: 5, maxSamples: 40 }, 300, 1],
  ])(
    '%s: rows scored a few at a time (tree walk) get the doubles of one batch (dense layout)',
    (_what, params, rows, cols) => {
      const x = uniformMatrix(rows, cols, rows * cols);
      const constantRows = _what.includes('constant');
      if (constantRows) {
        x.values.fill(4, 3); // all rows but 3 equal: a tree whose 40 rows miss those 3 is one leaf
      }
      const forest = new IsolationForest(params).fit(x);
      if (constantRows) {
        const model = forest.toJSON();
        const int32s = (base64: string) => {
          const bytes = Buffer.from(base64, 'base64');
          return new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
        };
        const feature = int32s(model.trees.feature);
        const roots = int32s(model.trees.roots);
        expect(Array.from(roots).some((root) => feature[root] === -1)).toBe(true);
      }
      const batch = forest.anomalyScores(x);
      const fewAtATime = new Float64Array(rows);
      for (let start = 0; start < rows; start += 3) {
        const count = Math.min(3, rows - start);
        const slice = { rows: count, cols, values: x.values.subarray(start * cols, (start + count) * cols) };
        fewAtATime.set(forest.anomalyScores(slice), start);
      }
      expect(fewAtATime).toEqual(batch);
    }
  );
});

describe('thresholds kept as float32', () => {
  it('decide as the grown float64 thresholds did: a model file with thresholds between two float32s scores the same', () => {
    // Models written before thresholds were kept as float32 hold float64 thresholds: raise each stored threshold to
    // just below the next float32 (the farthest a float64 threshold can be from the float32 kept), and the float32
    // rows must still go the same way at every split (checked by the float64 reference walk).
    const random = createRandom(11);
    const values = new Float32Array(3000 * 3);
    for (let i = 0; i < values.length; i++) {
      values[i] = Math.fround(random.nextFloat() * 2 - 1);
    }
    const x = { rows: 3000, cols: 3, values };
    const model = new IsolationForest({ nEstimators: 30 }).fit(x).toJSON();
    const bytes = Buffer.from(model.trees.threshold, 'base64');
    const thresholds = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    let raised = 0;
    thresholds.forEach((t, i) => {
      if (t !== 0) {
        const up = nextFloat32Up(t);
        thresholds[i] = t + (up - t) * (1 - 2 ** -20);
        raised += thresholds[i] > t ? 1 : 0;
      }
    });
    expect(raised).toBeGreaterThan(100);
    const oldStyle = {
      ...model,
      trees: { ...model.trees, threshold: Buffer.from(thresholds.buffer).toString('base64') },
    };
    const loaded = IsolationForest.fromJSON(oldStyle);
    // What the forest keeps (and writes back) is the largest float32 not above each stored threshold; rounding to
    // the nearest float32 would keep the one above, and send x equal to it the wrong way.
    const keptBytes = Buffer.from(loaded.toJSON().trees.threshold, 'base64');
    const kept = new Float64Array(
      keptBytes.buffer.slice(keptBytes.byteOffset, keptBytes.byteOffset + keptBytes.byteLength)
    );
    const notLargestBelow = thresholds.filter((t, i) => !(kept[i] <= t && nextFloat32Up(kept[i]) > t));
    expect(notLargestBelow).toEqual(new Float64Array(0));
    const rows = Array.from({ length: 3000 }, (_, i) => i);
    expect(Array.from(loaded.anomalyScores(x))).toEqual(referenceScoresOf(oldStyle, x, rows));
  });
});
