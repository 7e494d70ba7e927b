/**
 * The trees as a fitted forest keeps them in memory (CompactTrees), and the conversions from and to the trees as
 * grown and serialised (GrownTrees).
 *
 * The anomaly proxy keeps thousands of models, so this is about bytes. A grown tree is a list of nodes, each with a
 * feature, a threshold, a child id and a sample count; but a split needs no sample count for scoring and a leaf needs
 * nothing but its sample count. Here splits and leaves live in separate arrays:
 *   split: feature (Uint8 up to 256 columns), threshold (float32), left and right child (Int16, tree-local) = 9 bytes;
 *   leaf:  sample count (Uint16) = 2 bytes;
 * against 15 bytes per node before (Float64 thresholds, sample counts and ids at every node, plus a separate dense
 * scoring layout of ~186 kB per model). A proxy model (100 trees on 256 rows of 7 features) has ~6 000 splits and
 * ~6 100 leaves: ~66 kB.
 *
 * Why float32 thresholds lose nothing: the forest casts every input to float32 (as sklearn does), and for a float32 x
 * `x <= t` is exactly `x <= float32AtMost(t)`, the largest float32 not above t. Every decision, and so every score and
 * explanation, is the one the grown tree makes.
 *
 * A split's sample count (which explain() needs) is the sum of its children's: see splitSampleCounts.
 */
/** Marks a leaf in GrownTrees' `nodeFeature` and `nodeLeftChild`. */
export const LEAF = -1;

/**
 * The nodes of all trees, as grown and as serialised (modelFormat.ts): tree after tree, in parallel arrays indexed by
 * node id. A split's children are two adjacent nodes; ids follow the order growForest creates nodes in (the root,
 * then the two children of each split in the depth-first, left-first order splits are made).
 */
export interface GrownTrees {
  /** Node id of each tree's root; tree t owns nodes [treeRoots[t], treeRoots[t + 1]) (the last one up to the end). */
  readonly treeRoots: Int32Array;
  /** Split feature (column index) of a split; LEAF at leaves. */
  readonly nodeFeature: Int32Array;
  /** Left child of a split (the right child is always leftChild + 1); LEAF at leaves. */
  readonly nodeLeftChild: Int32Array;
  /** Split value: x <= threshold goes left. 0 at leaves. */
  readonly nodeThreshold: Float64Array;
  /** Training rows (of the tree's subsample, with repeats when bootstrapping) that reached the node. */
  readonly nodeSampleCount: Int32Array;
}

/** Column indices, in the narrowest type that holds the matrix's largest column index (chosen once per model). */
export type FeatureIndexArray = Uint8Array | Uint16Array | Int32Array;

/** A child reference within its tree: >= 0 is the tree's split of that index, < 0 its leaf ~ref (-1 = leaf 0). */
export type ChildArray = Int16Array | Int32Array;

/** The trees as a fitted forest keeps them (see the file comment). Splits of a tree are in depth-first order. */
export interface CompactTrees {
  readonly treeCount: number;
  /**
   * Tree t owns splits [splitStart[t], splitStart[t + 1]); its first split is its root. A tree without splits is a
   * single leaf. treeCount + 1 entries.
   */
  readonly splitStart: Int32Array;
  /** Tree t owns leaves [leafStart[t], leafStart[t + 1]). treeCount + 1 entries. */
  readonly leafStart: Int32Array;
  /** Column a split tests. */
  readonly splitFeature: FeatureIndexArray;
  /** x <= threshold goes left; the largest float32 <= the grown threshold (see the file comment). */
  readonly splitThreshold: Float32Array;
  /** Children of a split, as tree-local references (ChildArray). */
  readonly leftChild: ChildArray;
  readonly rightChild: ChildArray;
  /** Training rows that reached a leaf (of the tree's subsample, with repeats when bootstrapping). */
  readonly leafSize: Uint16Array | Int32Array;
}

/** Reference to the root of tree `tree`: its first split, or its only leaf. */
export function rootOf(trees: CompactTrees, tree: number): number {
  return trees.splitStart[tree + 1] > trees.splitStart[tree] ? 0 : ~0;
}

/** A zeroed array of `length` column indices of a matrix with `featureCount` columns, in the narrowest type. */
export function featureIndexArray(featureCount: number, length: number): FeatureIndexArray {
  if (featureCount <= 0x100) {
    return new Uint8Array(length);
  }
  return featureCount <= 0x10000 ? new Uint16Array(length) : new Int32Array(length);
}

// Views of one 4-byte buffer, to step a float32 by one unit in the last place through its bit pattern.
const float32Scratch = new Float32Array(1);
const float32Bits = new Int32Array(float32Scratch.buffer);

/**
 * The largest float32 that is <= `value` (+Infinity stays +Infinity). For any float32 x, x <= value exactly when
 * x <= float32AtMost(value); Math.fround alone rounds to nearest and may round up past some x.
 */
export function float32AtMost(value: number): number {
  const nearest = Math.fround(value);
  if (nearest <= value) {
    return nearest;
  }
  // Rounded up: step one float32 towards -Infinity. The bit pattern is sign-magnitude, so that is one less for a
  // positive float32, one more for a negative one or -0 (fround of a tiny negative value is -0; the step gives -2^-149).
  float32Scratch[0] = nearest;
  float32Bits[0] += nearest > 0 ? -1 : 1;
  return float32Scratch[0];
}

/**
 * `grown` (valid: as grown, or checked by modelFormat's decoder) as CompactTrees, for a forest on `featureCount`
 * columns and `maxSamplesUsed` rows per tree.
 */
export function compactTrees(grown: GrownTrees, featureCount: number, maxSamplesUsed: number): CompactTrees {
  const { treeRoots, nodeFeature, nodeLeftChild, nodeThreshold, nodeSampleCount } = grown;
  const treeCount = treeRoots.length;
  const nodeCount = nodeFeature.length;
  let splitCount = 0;
  for (let node = 0; node < nodeCount; node++) {
    splitCount += nodeFeature[node] === LEAF ? 0 : 1;
  }
  const leafCount = nodeCount - splitCount;
  // A tree has at most maxSamples leaves (each holds a sample) and one split fewer.
  const newChildArray = (length: number): ChildArray =>
    maxSamplesUsed <= 0x8000 ? new Int16Array(length) : new Int32Array(length);
  const trees: CompactTrees = {
    treeCount,
    splitStart: new Int32Array(treeCount + 1),
    leafStart: new Int32Array(treeCount + 1),
    splitFeature: featureIndexArray(featureCount, splitCount),
    splitThreshold: new Float32Array(splitCount),
    leftChild: newChildArray(splitCount),
    rightChild: newChildArray(splitCount),
    leafSize: maxSamplesUsed <= 0xffff ? new Uint16Array(leafCount) : new Int32Array(leafCount),
  };

  // Depth-first, left first (so a tree's splits come out in preorder): nodes waiting, each with the global index of
  // its parent split (-1 for a root) and whether it is that split's left child.
  const pendingNode = new Int32Array(nodeCount);
  const pendingParent = new Int32Array(nodeCount);
  const pendingIsLeft = new Uint8Array(nodeCount);
  let split = 0;
  let leaf = 0;
  for (let tree = 0; tree < treeCount; tree++) {
    trees.splitStart[tree] = split;
    trees.leafStart[tree] = leaf;
    let pending = 1;
    pendingNode[0] = treeRoots[tree];
    pendingParent[0] = -1;
    while (pending > 0) {
      pending--;
      const node = pendingNode[pending];
      const parent = pendingParent[pending];
      const isLeft = pendingIsLeft[pending] === 1;
      let reference: number;
      if (nodeFeature[node] === LEAF) {
        reference = ~(leaf - trees.leafStart[tree]);
        trees.leafSize[leaf++] = nodeSampleCount[node];
      } else {
        reference = split - trees.splitStart[tree];
        trees.splitFeature[split] = nodeFeature[node];
        trees.splitThreshold[split] = float32AtMost(nodeThreshold[node]);
        const left = nodeLeftChild[node];
        pendingNode[pending] = left + 1;
        pendingParent[pending] = split;
        pendingIsLeft[pending] = 0;
        pending++;
        pendingNode[pending] = left;
        pendingParent[pending] = split;
        pendingIsLeft[pending] = 1;
        pending++;
        split++;
      }
      if (parent >= 0) {
        (isLeft ? trees.leftChild : trees.rightChild)[parent] = reference;
      }
    }
  }
  trees.splitStart[treeCount] = split;
  trees.leafStart[treeCount] = leaf;
  return trees;
}

/**
 * Training rows that reached each split (global split index), the sum of its children's: splits come after their
 * parent in preorder, so one pass from the last split back sees both children of a split before the split.
 */
export function splitSampleCounts(trees: CompactTrees): Int32Array {
  const { treeCount, splitStart, leftChild, rightChild } = trees;
  const counts = new Int32Array(splitStart[treeCount]);
  for (let tree = 0; tree < treeCount; tree++) {
    for (let split = splitStart[tree + 1] - 1; split >= splitStart[tree]; split--) {
      counts[split] =
        samplesAt(trees, counts, tree, leftChild[split]) + samplesAt(trees, counts, tree, rightChild[split]);
    }
  }
  return counts;
}

/**
 * Training rows that reached node `reference` (a tree-local ChildArray reference) of tree `tree`.
 * @param splitCounts rows per split (splitSampleCounts)
 */
export function samplesAt(trees: CompactTrees, splitCounts: Int32Array, tree: number, reference: number): number {
  return reference >= 0
    ? splitCounts[trees.splitStart[tree] + reference]
    : trees.leafSize[trees.leafStart[tree] + ~reference];
}

/** `trees` as GrownTrees, node ids numbered as growForest numbers them (for the model format). */
export function expandTrees(trees: CompactTrees): GrownTrees {
  const { treeCount, splitStart, leafStart, splitFeature, splitThreshold, leftChild, rightChild, leafSize } = trees;
  const splitCounts = splitSampleCounts(trees);
  const nodeCount = splitStart[treeCount] + leafStart[treeCount];
  const grown: GrownTrees = {
    treeRoots: new Int32Array(treeCount),
    nodeFeature: new Int32Array(nodeCount),
    nodeLeftChild: new Int32Array(nodeCount),
    nodeThreshold: new Float64Array(nodeCount),
    nodeSampleCount: new Int32Array(nodeCount),
  };
  // Depth-first, left first, as growForest: a split, when reached, numbers its two children with the next two ids.
  const pendingReference = new Int32Array(nodeCount);
  const pendingNode = new Int32Array(nodeCount);
  let nextId = 0;
  for (let tree = 0; tree < treeCount; tree++) {
    const root = nextId++;
    grown.treeRoots[tree] = root;
    let pending = 1;
    pendingReference[0] = rootOf(trees, tree);
    pendingNode[0] = root;
    while (pending > 0) {
      pending--;
      const reference = pendingReference[pending];
      const node = pendingNode[pending];
      if (reference < 0) {
        grown.nodeFeature[node] = LEAF;
        grown.nodeLeftChild[node] = LEAF;
        grown.nodeSampleCount[node] = leafSize[leafStart[tree] + ~reference];
        continue;
      }
      const split = splitStart[tree] + reference;
      const left = nextId;
      nextId += 2;
      grown.nodeFeature[node] = splitFeature[split];
      grown.nodeLeftChild[node] = left;
      grown.nodeThreshold[node] = splitThreshold[split];
      grown.nodeSampleCount[node] = splitCounts[split];
      pendingReference[pending] = rightChild[split];
      pendingNode[pending] = left + 1;
      pending++;
      pendingReference[pending] = leftChild[split];
      pendingNode[pending] = left;
      pending++;
    }
  }
  return grown;
}
