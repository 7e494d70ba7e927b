/**
 * Scoring rows by walking the CompactTrees one tree at a time: no set-up, so it serves small batches (an online
 * scorer's single row, the new tail of a cached proxy query), where building the dense layout of scoringLayout.ts
 * would cost more than it saves (IsolationForest.anomalyScores picks). Path lengths are summed in tree order and
 * computed as the layout computes them, so both give the same doubles for every row.
 */
import { averagePathLengthTable } from './averagePathLength';
import { rootOf, type CompactTrees } from './compactTrees';
import { exp2 } from './deterministicMath';

/**
 * Anomaly scores of rows [0, rowCount) of `values` (row-major, `featureCount` wide) into `out`.
 * @param normaliser treeCount * c(maxSamplesUsed)
 */
export function scoreRowsByWalking(
  trees: CompactTrees,
  maxSamplesUsed: number,
  normaliser: number,
  values: Float32Array,
  rowCount: number,
  featureCount: number,
  out: Float64Array
): void {
  const { treeCount, splitStart, leafStart, splitFeature, splitThreshold, leftChild, rightChild, leafSize } = trees;
  const averagePathLengths = averagePathLengthTable(maxSamplesUsed);
  for (let row = 0; row < rowCount; row++) {
    const rowOffset = row * featureCount;
    let pathLengthSum = 0;
    for (let tree = 0; tree < treeCount; tree++) {
      const splitBase = splitStart[tree];
      let reference = rootOf(trees, tree);
      let depth = 0;
      while (reference >= 0) {
        const split = splitBase + reference;
        reference =
          values[rowOffset + splitFeature[split]] <= splitThreshold[split] ? leftChild[split] : rightChild[split];
        depth++;
      }
      pathLengthSum += depth + averagePathLengths[leafSize[leafStart[tree] + ~reference]];
    }
    // As scoreRows: 2 ** (-depths / (n_estimators * c(max_samples_))), 0.5 where c is 0; the engine's exp2.
    out[row] = normaliser === 0 ? 0.5 : exp2(-pathLengthSum / normaliser);
  }
}
