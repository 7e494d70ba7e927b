/**
 * The fitted trees re-laid out for fast scoring, and the scoring loop that walks them (IsolationForest.anomalyScores).
 *
 * Every tree becomes a complete binary tree of `depth` levels in heap order (children of slot s at 2s + 1 and
 * 2s + 2). A leaf above the last level is padded with pass-through slots (threshold +Infinity: always left) and its
 * path length is copied to all leaf slots below it. Scoring then runs exactly `depth` branch-free steps per tree, so
 * the CPU can overlap the walks of several trees instead of stalling on unpredictable branches. It is derived from
 * the forest's CompactTrees (compactTrees.ts), which it leaves untouched.
 *
 * Why it looks like this (measured on the 2-core CI machine, 100 trees x 256 samples x 6 features, Node 20; each
 * step compared with the previous one in the same process):
 * - a naive walk (one tree at a time, `x <= t ? left : right`) is bound by branch mispredictions: ~180k rows/s;
 *   `x <= t ? 1 : 2` still compiles to a branch, `+(x <= t)` does not;
 * - walking TREES_PER_STEP = 8 trees of the same row in lock-step gives the CPU 8 independent chains of loads to
 *   overlap (4, 6, 12 or 16 trees: slower): ~650k rows/s;
 * - thresholds as float32 (a smaller layout): +8%;
 * - slot and index arithmetic in int32 (`| 0`, 1 << depth): V8 otherwise checks every add for overflow, or even
 *   computes indices in floating point (2 ** depth is a double): +35%;
 * - a block of ROWS_PER_BLOCK rows walks one group of 8 trees (~32 kB) before the next group, so the group stays
 *   in the near caches instead of the whole layout (~430 kB) streaming past every row: +10%. The 8 trees' slots are
 *   interleaved (slot s of the 8 trees in 8 adjacent entries), so one base index serves the whole group;
 * - two levels per loop iteration (depth padded to even): halves the loop's overhead: +10%.
 * Together ~1.1M rows/s against ~0.65M before (sklearn 1.2.1: ~0.1M).
 *
 * Memory: a layout is built for one anomalyScores call of enough rows (denseLayoutPays; ~340 us for 100 trees of 256
 * rows) and dropped after it, so that a model at rest holds only its CompactTrees (~66 kB against ~186 kB for
 * this layout). Feature indices are the narrowest unsigned type that holds a column index, and a leaf slot holds a
 * Uint16 index into a table of the distinct leaf path lengths (at most a few thousand: depth x leaf size) instead of
 * the Float64 itself: both measured at the same speed, and smaller. Scores stay bit-identical: the table holds the
 * same doubles.
 */
import { averagePathLength, averagePathLengthTable } from './averagePathLength';
import { featureIndexArray, rootOf, type CompactTrees, type FeatureIndexArray } from './compactTrees';
import { exp2 } from './deterministicMath';

/** Trees walked side by side per row (see the file comment). */
const TREES_PER_STEP = 8;

/** Rows walked through one group of trees before moving to the next group (64 to 1024 all measure the same). */
const ROWS_PER_BLOCK = 256;

/**
 * Layouts of more slots than this are never built (~7 bytes a slot: ~60 MB). Only huge maxSamples need more (100
 * trees on 70 000 rows: 27 M slots), and their trees are walked instead (treeWalk.ts).
 */
const MAX_LAYOUT_SLOTS = 2 ** 23;

/**
 * Whether scoring `rows` rows through a layout built for the call beats walking the trees. Building costs in
 * proportion to the layout's slots (8-tree groups x 2^depth), walking in proportion to rows x trees x depth. Measured
 * (Node 20, 100 trees on 256 rows of 7 features, depth 8, rows not seen before): the walk takes ~6 us a row, the
 * layout ~0.9 us a row plus ~340 us to build, so they break even at ~65 rows, where rows x trees x depth is about
 * twice the slots.
 * @param maxDepth the forest's depth limit
 */
export function denseLayoutPays(rows: number, treeCount: number, maxDepth: number): boolean {
  const depth = maxDepth + (maxDepth % 2);
  const slots = Math.ceil(treeCount / TREES_PER_STEP) * TREES_PER_STEP * 2 ** depth;
  return slots <= MAX_LAYOUT_SLOTS && rows * treeCount * maxDepth >= 2 * slots;
}

export interface ScoringLayout {
  /** Groups of TREES_PER_STEP trees; the last group is padded with empty trees (path length 0). */
  readonly groupCount: number;
  /** Levels of every tree: the forest's depth limit rounded up to even (scoreRows steps two levels at a time). */
  readonly depth: number;
  /**
   * Per group, 2^depth - 1 split slots of its 8 trees, interleaved: slot s of tree k of group g is entry
   * (g * (2^depth - 1) + s) * 8 + k. Feature of the split (0 for pass-through slots).
   */
  readonly splitFeature: FeatureIndexArray;
  /**
   * Same indexing: threshold, x <= threshold goes left (+Infinity for pass-through slots). Stored as the largest
   * float32 <= the float64 threshold: x is a float32, so `x <= t32` is exactly `x <= t64` (see float32AtMost).
   */
  readonly splitThreshold: Float32Array;
  /**
   * Per group, 2^depth leaf slots of its 8 trees, interleaved as the split slots: index into pathLengths of the path
   * length depth + c(leaf size) of the leaf covering the slot.
   */
  readonly leafPathLengthIndex: Uint16Array | Uint32Array;
  /**
   * The distinct leaf path lengths, Float64 so that scores are exactly those of the grown trees. Entry 0 is 0: the
   * path length of the padding trees' leaves (adding 0 leaves a sum unchanged).
   */
  readonly pathLengths: Float64Array;
  /** c(maxSamplesUsed) * treeCount: turns the summed path length into the score's exponent. */
  readonly normaliser: number;
}

/**
 * Lays out `trees` (grown with depth limit `maxDepth` on `maxSamplesUsed` rows per tree) for scoreRows.
 * At most 4 * maxSamples slots per tree (2^depth < 4 * maxSamples).
 */
export function buildScoringLayout(
  trees: CompactTrees,
  featureCount: number,
  maxDepth: number,
  maxSamplesUsed: number
): ScoringLayout {
  const { treeCount, splitStart, leafStart, splitFeature: treeFeature, splitThreshold: treeThreshold } = trees;
  const { leftChild, rightChild, leafSize } = trees;
  const groupCount = Math.ceil(treeCount / TREES_PER_STEP);
  const depth = maxDepth + (maxDepth % 2); // an extra level, if any, is all pass-through
  const splitSlots = 2 ** depth - 1;
  const leafSlots = 2 ** depth;
  // Padding trees keep these initial values: all pass-through, all leaves index 0 (path length 0).
  const splitFeature = featureIndexArray(featureCount, groupCount * TREES_PER_STEP * splitSlots);
  const splitThreshold = new Float32Array(groupCount * TREES_PER_STEP * splitSlots).fill(Infinity);
  // A leaf at depth d holds at most maxSamples - d rows, so (maxDepth + 1) * maxSamples (+ the 0 entry) bounds the
  // distinct path lengths, as does the number of leaves (+ 1).
  const distinctBound = Math.min((maxDepth + 1) * maxSamplesUsed, leafSize.length) + 1;
  const leafSlotCount = groupCount * TREES_PER_STEP * leafSlots;
  const leafPathLengthIndex =
    distinctBound <= 0x10000 ? new Uint16Array(leafSlotCount) : new Uint32Array(leafSlotCount);
  const averagePathLengths = averagePathLengthTable(maxSamplesUsed);
  const pathLengths: number[] = [0];
  // Index into pathLengths of level + c(size), at level * (maxSamples + 1) + size; 0 = not computed yet. A lookup
  // table rather than a Map keyed by the double: builds take ~340 instead of ~520 us (100 trees of 256 rows).
  const indexOfLevelAndSize = new Int32Array((depth + 1) * (maxSamplesUsed + 1));
  // Work list of (tree-local reference, dense slot, level); depth-first, so at most depth + 2 entries are pending.
  const pendingReference = new Int32Array(depth + 2);
  const pendingSlot = new Int32Array(depth + 2);
  const pendingLevel = new Int32Array(depth + 2);
  for (let tree = 0; tree < treeCount; tree++) {
    const group = Math.floor(tree / TREES_PER_STEP);
    const inGroup = tree % TREES_PER_STEP;
    // Entry of split slot s: splitBase + 8s; of leaf slot l: leafBase + 8l (integer arithmetic throughout: this runs
    // once per model, ~50 000 entries for 100 trees of 256 rows).
    const splitBase = group * splitSlots * TREES_PER_STEP + inGroup;
    const leafBase = group * leafSlots * TREES_PER_STEP + inGroup;
    let pending = 1;
    pendingReference[0] = rootOf(trees, tree);
    pendingSlot[0] = 0;
    pendingLevel[0] = 0;
    while (pending > 0) {
      pending--;
      const reference = pendingReference[pending];
      const slot = pendingSlot[pending];
      const level = pendingLevel[pending];
      if (reference < 0) {
        // The level is the leaf's depth in its tree: its path length is computed exactly as while growing.
        const size = leafSize[leafStart[tree] + ~reference];
        const key = level * (maxSamplesUsed + 1) + size;
        let index = indexOfLevelAndSize[key];
        if (index === 0) {
          index = pathLengths.length;
          pathLengths.push(level + averagePathLengths[size]);
          indexOfLevelAndSize[key] = index;
        }
        // The leaf's slots on the last level: its leftmost descendant there, (slot + 1) 2^(depth - level) - 1 (2s + 1
        // applied depth - level times), and the span that follows (2^(depth - level) slots).
        const span = 1 << (depth - level);
        const firstLeaf = (slot + 1) * span - 1 - splitSlots;
        for (let entry = leafBase + firstLeaf * TREES_PER_STEP, k = 0; k < span; k++, entry += TREES_PER_STEP) {
          leafPathLengthIndex[entry] = index;
        }
        continue;
      }
      const split = splitStart[tree] + reference;
      splitFeature[splitBase + slot * TREES_PER_STEP] = treeFeature[split];
      splitThreshold[splitBase + slot * TREES_PER_STEP] = treeThreshold[split];
      pendingReference[pending] = rightChild[split];
      pendingSlot[pending] = 2 * slot + 2;
      pendingLevel[pending] = level + 1;
      pending++;
      pendingReference[pending] = leftChild[split];
      pendingSlot[pending] = 2 * slot + 1;
      pendingLevel[pending] = level + 1;
      pending++;
    }
  }
  return {
    groupCount,
    depth,
    splitFeature,
    splitThreshold,
    leafPathLengthIndex,
    pathLengths: Float64Array.from(pathLengths),
    normaliser: treeCount * averagePathLength(maxSamplesUsed),
  };
}

/**
 * Anomaly scores of all rows of `values` (row-major, `featureCount` wide) into out[0..rowCount). Allocates one
 * block of path length sums per call, nothing per row. Path lengths are summed in tree order for every row (group
 * after group, tree after tree within a group), so scores are bit-identical however rows are batched.
 */
export function scoreRows(
  layout: ScoringLayout,
  values: Float32Array,
  rowCount: number,
  featureCount: number,
  out: Float64Array
): void {
  const pathLengthSums = new Float64Array(Math.min(rowCount, ROWS_PER_BLOCK));
  for (let blockStart = 0; blockStart < rowCount; blockStart += ROWS_PER_BLOCK) {
    scoreBlock(
      layout,
      values,
      featureCount,
      blockStart,
      Math.min(blockStart + ROWS_PER_BLOCK, rowCount),
      pathLengthSums,
      out
    );
  }
}

/**
 * Scores rows [blockStart, blockEnd) (at most ROWS_PER_BLOCK) into `out`, summing their path lengths in
 * `pathLengthSums`. A function per block, not a loop inside scoreRows: called once per 256 rows, V8 compiles it whole
 * once a few batches have run (a panel's warm-up), where one long loop per call is compiled only as a loop, entered
 * again and recompiled in the first real job (traced in Chromium, docs/performance.md).
 */
function scoreBlock(
  layout: ScoringLayout,
  values: Float32Array,
  featureCount: number,
  blockStart: number,
  blockEnd: number,
  pathLengthSums: Float64Array,
  out: Float64Array
): void {
  const { groupCount, depth, splitFeature, splitThreshold, leafPathLengthIndex, pathLengths, normaliser } = layout;
  // `| 0` on slots and indices: int32 arithmetic, which V8 compiles without overflow checks (see the file comment).
  const splitSlots = ((1 << depth) - 1) | 0;
  const leafSlots = (1 << depth) | 0;
  pathLengthSums.fill(0);
  for (let group = 0; group < groupCount; group++) {
    // Entry of split slot s of tree k: splitBase + 8s + k. Slot s >= splitSlots of the last level is leaf
    // s - splitSlots, at entry leafBase + 8s + k.
    const splitBase = (group * splitSlots * TREES_PER_STEP) | 0;
    const leafBase = ((group * leafSlots - splitSlots) * TREES_PER_STEP) | 0;
    for (let row = blockStart; row < blockEnd; row++) {
      const rowOffset = (row * featureCount) | 0;
      let slot0 = 0;
      let slot1 = 0;
      let slot2 = 0;
      let slot3 = 0;
      let slot4 = 0;
      let slot5 = 0;
      let slot6 = 0;
      let slot7 = 0;
      // Written out for TREES_PER_STEP = 8 trees (k = 0..7 at entry splitBase + 8s + k) and two levels per
      // iteration (depth is even). Left child 2s + 1 when x <= threshold, right child 2s + 2 otherwise.
      for (let level = 0; level < depth; level += 2) {
        let at = 0;
        at = (splitBase + 8 * slot0) | 0;
        slot0 = (2 * slot0 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot1 + 1) | 0;
        slot1 = (2 * slot1 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot2 + 2) | 0;
        slot2 = (2 * slot2 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot3 + 3) | 0;
        slot3 = (2 * slot3 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot4 + 4) | 0;
        slot4 = (2 * slot4 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot5 + 5) | 0;
        slot5 = (2 * slot5 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot6 + 6) | 0;
        slot6 = (2 * slot6 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot7 + 7) | 0;
        slot7 = (2 * slot7 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;

        at = (splitBase + 8 * slot0) | 0;
        slot0 = (2 * slot0 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot1 + 1) | 0;
        slot1 = (2 * slot1 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot2 + 2) | 0;
        slot2 = (2 * slot2 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot3 + 3) | 0;
        slot3 = (2 * slot3 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot4 + 4) | 0;
        slot4 = (2 * slot4 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot5 + 5) | 0;
        slot5 = (2 * slot5 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot6 + 6) | 0;
        slot6 = (2 * slot6 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
        at = (splitBase + 8 * slot7 + 7) | 0;
        slot7 = (2 * slot7 + 2 - +(values[rowOffset + splitFeature[at]] <= splitThreshold[at])) | 0;
      }
      const sumIndex = row - blockStart;
      let pathLengthSum = pathLengthSums[sumIndex];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot0) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot1 + 1) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot2 + 2) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot3 + 3) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot4 + 4) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot5 + 5) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot6 + 6) | 0]];
      pathLengthSum += pathLengths[leafPathLengthIndex[(leafBase + 8 * slot7 + 7) | 0]];
      pathLengthSums[sumIndex] = pathLengthSum;
    }
  }
  scoresFromPathLengths(pathLengthSums, normaliser, blockStart, blockEnd, out);
}

/**
 * The scores of rows [blockStart, blockEnd) from their summed path lengths. Its own function: scoreBlock was compiled
 * on stack replacement inside its walk, before this loop had run once, and the same optimised code was left here
 * again on later calls ("insufficient type feedback"), the rest of the block unoptimised (--trace-deopt).
 */
function scoresFromPathLengths(
  pathLengthSums: Float64Array,
  normaliser: number,
  blockStart: number,
  blockEnd: number,
  out: Float64Array
): void {
  for (let row = blockStart; row < blockEnd; row++) {
    // sklearn: 2 ** (-depths / (n_estimators * c(max_samples_))), and 0.5 where c(max_samples_) is 0
    // exp2, not **: Math.pow differs in the last bit between JavaScript engines (deterministicMath.ts).
    out[row] = normaliser === 0 ? 0.5 : exp2(-pathLengthSums[row - blockStart] / normaliser);
  }
}
