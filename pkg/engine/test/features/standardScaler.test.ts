import { ModelFormatError } from '../../src/modelFormat';
import { StandardScaler } from '../../src/features/standardScaler';
import type { FeatureMatrix } from '../../src/types';
import { FLOAT32_MAX } from '../../src/validateTable';

function matrix(rows: number[][]): FeatureMatrix {
  return { rows: rows.length, cols: rows[0].length, values: Float32Array.from(rows.flat()) };
}

describe('StandardScaler', () => {
  it('centres and divides by the population standard deviation (ddof = 0), as sklearn', () => {
    // Column 0: 1, 2, 3, 4 -> mean 2.5, population std sqrt(1.25).
    const scaled = new StandardScaler().fit(matrix([[1], [2], [3], [4]])).transform(matrix([[1], [4]]));
    expect(scaled.values[0]).toBeCloseTo(-1.5 / Math.sqrt(1.25), 6);
    expect(scaled.values[1]).toBeCloseTo(1.5 / Math.sqrt(1.25), 6);
  });

  it('gives a constant column scale 1, so it becomes zeros instead of NaN', () => {
    const scaler = new StandardScaler().fit(
      matrix([
        [7, 1],
        [7, 2],
        [7, 3],
      ])
    );
    expect(scaler.toJSON().scales[0]).toBe(1);
    expect(Array.from(scaler.transform(matrix([[7, 2]])).values)).toEqual([0, 0]);
  });

  it('scales a column in tiny units by its own deviation, as sklearn 1.2 (no absolute cut-off near zero)', () => {
    // sklearn 1.2.1: StandardScaler().fit([[1e-16], [2e-16], [3e-16], [4e-16]]).scale_ == [1.118034e-16] and
    // transform gives -1.3416, -0.4472, 0.4472, 1.3416. Before, a deviation under 10 machine epsilons (2.2e-15)
    // was taken for a constant: scale 1, and the column became all but zeros to the forest.
    const tiny = matrix([[1e-16], [2e-16], [3e-16], [4e-16]]);
    const scaler = new StandardScaler().fit(tiny);
    expect(scaler.toJSON().scales[0]).toBeCloseTo(1.118034e-16, 22);
    const scaled = Array.from(scaler.transform(tiny).values);
    [-1.3416408, -0.4472136, 0.4472136, 1.3416408].forEach((expected, i) => expect(scaled[i]).toBeCloseTo(expected, 5));
  });

  it('fits only the given rows', () => {
    const all = matrix([[0], [2], [1000]]);
    const onTraining = new StandardScaler().fit(all, [0, 1]).toJSON();
    expect(onTraining).toEqual({ means: [1], scales: [1] });
  });

  it('is not changed by the rows it transforms', () => {
    const scaler = new StandardScaler().fit(matrix([[1], [3]]));
    const before = scaler.toJSON();
    scaler.transform(matrix([[1e6], [-1e6]]));
    expect(scaler.toJSON()).toEqual(before);
  });

  it('transformInPlace writes into the matrix the very values transform gives', () => {
    const scaler = new StandardScaler().fit(
      matrix([
        [0.1, 5e6],
        [0.7, 9e6 + 0.3],
        [0.3, 2],
      ])
    );
    const input = matrix([
      [0.2, 4],
      [1e-7, -3e6],
      [0.3, 2],
    ]);
    const expected = scaler.transform(input).values;
    const scaled = scaler.transformInPlace(input);
    expect(scaled.values).toBe(input.values);
    expect(Buffer.from(scaled.values.buffer).equals(Buffer.from(expected.buffer))).toBe(true);
    expect(() => scaler.transformInPlace(matrix([[1]]))).toThrow('the matrix has 1 columns');
  });

  it('holds scaled values to the float32 range instead of overflowing to ±Infinity', () => {
    // A 1e36 outlier over a tight column (scale ~1e-3), and a hand-edited scaler: before, ±Infinity in the matrix.
    const tight = new StandardScaler().fit(matrix([[50], [50.001], [50.002], [50.003]]));
    expect(Array.from(tight.transform(matrix([[1e36], [-1e36], [50]])).values.slice(0, 2))).toEqual([
      FLOAT32_MAX,
      -FLOAT32_MAX,
    ]);
    const edited = StandardScaler.fromJSON({ means: [1e308, -1e308], scales: [1e-300, 1e-300] });
    const values = edited.transformInPlace(matrix([[1, 1]])).values;
    expect(Array.from(values)).toEqual([-FLOAT32_MAX, FLOAT32_MAX]);
  });

  it('round-trips through JSON', () => {
    const scaler = new StandardScaler().fit(
      matrix([
        [0.1, 5],
        [0.7, 9],
        [0.3, 2],
      ])
    );
    const restored = StandardScaler.fromJSON(JSON.parse(JSON.stringify(scaler)));
    const input = matrix([[0.2, 4]]);
    expect(restored.transform(input).values).toEqual(scaler.transform(input).values);
  });

  it('refuses a corrupted document with a ModelFormatError naming the field', () => {
    expect(() => StandardScaler.fromJSON({ means: [0], scales: [0] })).toThrow(ModelFormatError);
    expect(() => StandardScaler.fromJSON({ means: [0], scales: [0] })).toThrow('scaler: scale 0 is 0');
    expect(() => StandardScaler.fromJSON({ means: [0, 1], scales: [1] })).toThrow('2 means but 1 scales');
  });

  it('refuses to transform a matrix of another width', () => {
    const scaler = new StandardScaler().fit(
      matrix([
        [1, 2],
        [3, 4],
      ])
    );
    expect(() => scaler.transform(matrix([[1]]))).toThrow('the matrix has 1 columns, the scaler was fitted on 2');
  });
});
