import { IsolationForest, ModelFormatError } from '@telemetry-analyzer/engine';
import { gaussianMatrix } from './gaussianMatrix';

const bytesOf = (a: Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

describe('IsolationForest serialisation', () => {
  const x = gaussianMatrix(400, 3, 4);
  const forest = new IsolationForest({ nEstimators: 50, contamination: 0.05, maxFeatures: 0.67, bootstrap: true }).fit(
    x
  );
  const roundTrip = (value: unknown): any => JSON.parse(JSON.stringify(value));

  it('round-trips through JSON text to bit-identical scores, threshold and predictions', () => {
    const restored = IsolationForest.fromJSON(roundTrip(forest.toJSON()));
    const probe = gaussianMatrix(300, 3, 99);
    expect(bytesOf(restored.anomalyScores(probe)).equals(bytesOf(forest.anomalyScores(probe)))).toBe(true);
    expect(restored.threshold).toBe(forest.threshold);
    expect(restored.params).toEqual(forest.params);
    expect(restored.predict(probe)).toEqual(forest.predict(probe));
    expect(restored.toJSON()).toEqual(forest.toJSON());
  });

  it('keeps the training scores, so a restored model can re-threshold', () => {
    const restored = IsolationForest.fromJSON(roundTrip(forest.toJSON()));
    restored.setContamination(0.2);
    forest.setContamination(0.2);
    expect(restored.threshold).toBe(forest.threshold);
    forest.setContamination(0.05);
  });

  it('is versioned', () => {
    const json = forest.toJSON();
    expect(json.formatVersion).toBe(1);
    expect(json.format).toBe('telemetry-analyzer/isolation-forest');
  });

  const corruptions: Array<[string, (model: any) => void, RegExp]> = [
    ['an unknown version', (m) => (m.formatVersion = 2), /unsupported formatVersion 2; this engine reads version 1/],
    ['another format', (m) => (m.format = 'something-else'), /format is "something-else"/],
    ['a missing field', (m) => delete m.trees.threshold, /trees.threshold must be a base64 string/],
    [
      'a truncated array',
      (m) => (m.trees.feature = m.trees.feature.slice(0, -8)),
      /trees.feature holds \d+ bytes, expected/,
    ],
    [
      'broken base64',
      (m) => (m.trainingScores = '!!!!' + m.trainingScores.slice(4)),
      /trainingScores is not valid base64/,
    ],
    ['a wrong node count', (m) => (m.trees.nodeCount += 1), /trees.feature holds/],
    ['invalid params', (m) => (m.params.contamination = 0.9), /invalid params: contamination must be/],
    [
      'a tree count that disagrees with nEstimators',
      (m) => (m.params.nEstimators = 49),
      /50 trees but nEstimators is 49/,
    ],
    ['a tampered threshold', (m) => (m.threshold = 0.51), /threshold 0.51 does not match/],
    ['a non-object', (m) => (m.trees = [1, 2]), /trees must be a JSON object/],
  ];
  it.each(corruptions)('rejects %s with a ModelFormatError', (_name, corrupt, message) => {
    const json = roundTrip(forest.toJSON());
    corrupt(json);
    expect(() => IsolationForest.fromJSON(json)).toThrow(ModelFormatError);
    expect(() => IsolationForest.fromJSON(json)).toThrow(message);
  });

  it('rejects structurally broken trees', () => {
    const json = roundTrip(forest.toJSON());
    const bytes = Buffer.from(json.trees.leftChild, 'base64');
    const left = new Int32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    left[0] = 0; // the root pointing at itself would loop forever
    json.trees.leftChild = Buffer.from(left.buffer).toString('base64');
    expect(() => IsolationForest.fromJSON(json)).toThrow(/tree 0: node 0 has children 0, 1 outside/);
  });

  /** Replaces the Int32 or Float64 array `name` of json.trees. */
  const setTreeArray = (json: any, name: string, values: Int32Array | Float64Array) =>
    (json.trees[name] = Buffer.from(values.buffer).toString('base64'));

  it('rejects a tree deeper than the depth limit (scoring lays trees out that deep, no deeper)', () => {
    // 4 training rows per tree: trees stop at depth ceil(log2 4) = 2. A chain of splits at depths 0, 1 and 2:
    const json = roundTrip(new IsolationForest({ nEstimators: 1 }).fit(gaussianMatrix(4, 2, 1)).toJSON());
    json.trees.nodeCount = 7;
    setTreeArray(json, 'feature', Int32Array.of(0, -1, 1, -1, 0, -1, -1));
    setTreeArray(json, 'leftChild', Int32Array.of(1, -1, 3, -1, 5, -1, -1));
    setTreeArray(json, 'threshold', Float64Array.of(0, 0, 0, 0, 0, 0, 0));
    setTreeArray(json, 'sampleCount', Int32Array.of(4, 1, 3, 1, 2, 1, 1));
    expect(() => IsolationForest.fromJSON(json)).toThrow(
      /tree 0: node 4 splits at depth 2, but trees on 4 rows stop at depth 2/
    );
  });

  it('rejects a threshold outside the float32 range (inputs are float32)', () => {
    const json = roundTrip(forest.toJSON());
    const bytes = Buffer.from(json.trees.threshold, 'base64');
    const thresholds = new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
    thresholds[0] = -1e39;
    setTreeArray(json, 'threshold', thresholds);
    expect(() => IsolationForest.fromJSON(json)).toThrow(/node 0 has threshold -1e\+39, not a finite float32-range/);
  });

  it('rejects non-JSON-object input and unfitted models', () => {
    expect(() => IsolationForest.fromJSON(null)).toThrow(/the model must be a JSON object, got null/);
    expect(() => IsolationForest.fromJSON('{}')).toThrow(ModelFormatError);
    expect(() => new IsolationForest().toJSON()).toThrow(/not fitted/);
  });
});
