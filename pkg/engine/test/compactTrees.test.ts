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

  it('round-trips a fitted forest’s trees exactly, numbered as growForest numbers them', () => {
    const forest = new IsolationForest({ nEstimators: 25 }).fit(gaussianMatrix(1500, 5, 4));
    const decoded = decodeForest(JSON.parse(JSON.stringify(forest.toJSON())));
    expect(growthOrderViolations(decoded.trees)).toEqual([]);
    const again = expandTrees(compactTrees(decoded.trees, decoded.featureCount, decoded.maxSamplesUsed));
    expect(again).toEqual(decoded.trees);
  });
});

describe('expandTrees numbers nodes in growth order, not breadth-first or right-first', () => {
  // root -> A (split), B (split); A -> A1 (split), leaf; A1 -> two leaves; B -> two leaves. Growth order (a split's
  // two children take the next two ids when the split is reached, depth-first, left first) numbers A1's children 5, 6
  // and B's 7, 8; breadth-first would give B's children 5, 6, and right-first B's children 3, 4.
  const deeper: GrownTrees = {
    treeRoots: Int32Array.of(0),
    nodeFeature: Int32Array.of(0, 1, 0, 1, LEAF, LEAF, LEAF, LEAF, LEAF),
    nodeLeftChild: Int32Array.of(1, 3, 7, 5, LEAF, LEAF, LEAF, LEAF, LEAF),
    nodeThreshold: Float64Array.of(0.5, 2, 0.75, 1, 0, 0, 0, 0, 0),
    nodeSampleCount: Int32Array.of(10, 6, 4, 5, 1, 2, 3, 1, 3),
  };

  it('reproduces the grown numbering exactly', () => {
    expect(growthOrderViolations(deeper)).toEqual([]);
    expect(expandTrees(compactTrees(deeper, 2, 10))).toEqual(deeper);
  });
});

/** Nodes whose children are not numbered in growth order (see the describe above); [] when all are. */
function growthOrderViolations(trees: GrownTrees): string[] {
  const violations: string[] = [];
  for (let tree = 0; tree < trees.treeRoots.length; tree++) {
    let nextId = trees.treeRoots[tree] + 1;
    const pending = [trees.treeRoots[tree]];
    while (pending.length > 0) {
      const node = pending.pop()!;
      if (trees.nodeFeature[node] === LEAF) {
        continue;
      }
      if (trees.nodeLeftChild[node] !== nextId) {
        violations.push(`node ${node}: children at ${trees.nodeLeftChild[node]}, expected ${nextId}`);
      }
      nextId += 2;
      pending.push(trees.nodeLeftChild[node] + 1, trees.nodeLeftChild[node]);
    }
  }
  return violations;
}
