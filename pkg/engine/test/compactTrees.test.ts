import { IsolationForest } from '@telemetry-analyzer/engine';
import { compactTrees, expandTrees, LEAF, splitSampleCounts, type GrownTrees } from '../src/compactTrees';
import { decodeForest } from '../src/modelFormat';
import { gaussianMatrix } from './gaussianMatrix';

/**
 * Two trees as growForest numbers their nodes. Tree 0 (nodes 0-4): root splits on feature 1 at 0.1; its left child
 * (node 1) is a leaf of 3 rows, its right child (node 2) splits on feature 0 at -2 into leaves of 1 and 4 rows.
 * Tree 1 (node 5) is a single leaf of 8 rows.
 */
const grown: GrownTrees = {
  treeRoots: Int32Array.of(0, 5),
  nodeFeature: Int32Array.of(1, LEAF, 0, LEAF, LEAF, LEAF),
  nodeLeftChild: Int32Array.of(1, LEAF, 3, LEAF, LEAF, LEAF),
  nodeThreshold: Float64Array.of(0.1, 0, -2, 0, 0, 0),
  nodeSampleCount: Int32Array.of(8, 3, 5, 1, 4, 8),
};

describe('compactTrees', () => {
  const trees = compactTrees(grown, 2, 8);

  it('keeps splits and leaves apart, each tree in preorder, children as tree-local references', () => {
    expect(Array.from(trees.splitStart)).toEqual([0, 2, 2]);
    expect(Array.from(trees.leafStart)).toEqual([0, 3, 4]);
    expect(Array.from(trees.splitFeature)).toEqual([1, 0]);
    expect(Array.from(trees.leftChild)).toEqual([~0, ~1]); // root -> leaf 0; split 1 -> leaf 1
    expect(Array.from(trees.rightChild)).toEqual([1, ~2]); // root -> split 1; split 1 -> leaf 2
    expect(Array.from(trees.leafSize)).toEqual([3, 1, 4, 8]);
  });

  it('keeps each threshold as the largest float32 not above it', () => {
    expect(Math.fround(0.1)).toBeGreaterThan(0.1); // the nearest float32 rounds up…
    expect(trees.splitThreshold[0]).toBe(0.09999999403953552); // …so the one below it is kept
    expect(trees.splitThreshold[1]).toBe(-2);
  });

  it('derives every split’s sample count from its leaves', () => {
    expect(Array.from(splitSampleCounts(trees))).toEqual([8, 5]);
  });

  it('expands back to the grown numbering, sample counts and (float32) thresholds', () => {
    const expanded = expandTrees(trees);
    expect(expanded.treeRoots).toEqual(grown.treeRoots);
    expect(expanded.nodeFeature).toEqual(grown.nodeFeature);
    expect(expanded.nodeLeftChild).toEqual(grown.nodeLeftChild);
    expect(expanded.nodeSampleCount).toEqual(grown.nodeSampleCount);
    expect(Array.from(expanded.nodeThreshold)).toEqual([trees.splitThreshold[0], 0, -2, 0, 0, 0]);
  });

  it('round-trips a fitted forest’s trees exactly (as toJSON writes them)', () => {
    const forest = new IsolationForest({ nEstimators: 25 }).fit(gaussianMatrix(1500, 5, 4));
    const decoded = decodeForest(JSON.parse(JSON.stringify(forest.toJSON())));
    const again = expandTrees(compactTrees(decoded.trees, decoded.featureCount, decoded.maxSamplesUsed));
    expect(again).toEqual(decoded.trees);
  });
});
