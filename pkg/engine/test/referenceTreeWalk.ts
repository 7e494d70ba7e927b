import {
  averagePathLength,
  type FeatureMatrix,
  type IsolationForest,
  type SerializedForest,
} from '@telemetry-analyzer/engine';
import { exp2 } from '../src/deterministicMath';

/**
 * Scores of `rows` of `x` by the plain textbook walk over a forest's serialised trees (toJSON's node arrays), summed
 * in tree order as the fast scoring layout does: an oracle independent of that layout, bit-identical to it.
 */
export function referenceScores(forest: IsolationForest, x: FeatureMatrix, rows: number[]): number[] {
  return referenceScoresOf(forest.toJSON(), x, rows);
}

/** referenceScores of a serialised forest. */
export function referenceScoresOf(model: SerializedForest, x: FeatureMatrix, rows: number[]): number[] {
  const decode = <T>(b64: string, Type: new (buffer: ArrayBuffer) => T): T => {
    const bytes = Buffer.from(b64, 'base64');
    return new Type(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  };
  const roots = decode(model.trees.roots, Int32Array);
  const feature = decode(model.trees.feature, Int32Array);
  const left = decode(model.trees.leftChild, Int32Array);
  const threshold = decode(model.trees.threshold, Float64Array);
  const samples = decode(model.trees.sampleCount, Int32Array);
  return rows.map((row) => {
    let total = 0;
    for (const root of roots) {
      let node = root;
      let depth = 0;
      while (feature[node] !== -1) {
        node = x.values[row * x.cols + feature[node]] <= threshold[node] ? left[node] : left[node] + 1;
        depth++;
      }
      total += depth + averagePathLength(samples[node]);
    }
    // The engine's exp2 (deterministicMath.ts), as the layout: `**` may differ from it in the last bit.
    return exp2(-total / (roots.length * averagePathLength(model.maxSamplesUsed)));
  });
}
