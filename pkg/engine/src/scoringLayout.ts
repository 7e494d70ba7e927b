/**
 * The fitted trees re-laid out for fast scoring, and the scoring loop that walks them (IsolationForest.anomalyScores).
 *
 * Every tree becomes a complete binary tree of `depth` levels in heap order (children of slot s at 2s + 1 and
 * 2s + 2). A leaf above the last level is padded with pass-through slots (threshold +Infinity: always left) and its
 * path length is copied to all leaf slots below it. Scoring then runs exactly `depth` branch-free steps per tree, so
 * the CPU can overlap the walks of several trees instead of stalling on unpredictable branches. The model as grown
 * and serialised (ForestTrees) is untouched: this layout is derived from it at fit and at load.
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
 * Memory (the proxy caches thousands of models): feature indices are the narrowest unsigned type that holds a column
 * index (Uint8Array up to 256 columns), and a leaf slot holds a Uint16 index into a per-model table of the distinct
 * leaf path lengths (at most a few thousand: depth x leaf size) instead of the Float64 itself. Both are read through
 * one more small array, measured at the same speed, and shrink a split slot and its leaf slot from 16 to 7 bytes
 * (100 trees x 256 samples: ~416 kB -> ~186 kB). Scores stay bit-identical: the table holds the same doubles.
 */
import { averagePathLength } from './averagePathLength';
import { exp2 } from './deterministicMath';
import type { ForestTrees } from './isolationForest';

/** Column indices, in the narrowest type that holds the matrix's largest column index (chosen once per model). */
export type FeatureIndexArray = Uint8Array | Uint16Array | Int32Array;

/** Trees walked side by side per row (see the file comment). */
const TREES_PER_STEP = 8;

/** Rows walked through one group of trees before moving to the next group (64 to 1024 all measure the same). */
const ROWS_PER_BLOCK = 256;

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
 * Lays out `trees` (grown with depth limit `maxDepth` on `maxSamplesUsed` rows per tree) for scoreRows.
 * At most 4 * maxSamples slots per tree (2^depth < 4 * maxSamples).
 */
export function buildScoringLayout(
  trees: ForestTrees,
  featureCount: number,
  maxDepth: number,
  maxSamplesUsed: number
): ScoringLayout {
  const { treeRoots, nodeFeature, nodeLeftChild, nodeThreshold, nodeSampleCount } = trees;
  const treeCount = treeRoots.length;
  const groupCount = Math.ceil(treeCount / TREES_PER_STEP);
  const depth = maxDepth + (maxDepth % 2); // an extra level, if any, is all pass-through
  const splitSlots = 2 ** depth - 1;
  const leafSlots = 2 ** depth;
  // Padding trees keep these initial values: all pass-through, all leaves index 0 (path length 0).
  const splitFeature = featureIndexArray(featureCount, groupCount * TREES_PER_STEP * splitSlots);
  const splitThreshold = new Float32Array(groupCount * TREES_PER_STEP * splitSlots).fill(Infinity);
  // A leaf at depth d holds at most maxSamples - d rows, so (maxDepth + 1) * maxSamples (+ the 0 entry) bounds the
  // distinct path lengths, as does the number of nodes (+ 1).
  const distinctBound = Math.min((maxDepth + 1) * maxSamplesUsed, nodeFeature.length) + 1;
  const leafSlotCount = groupCount * TREES_PER_STEP * leafSlots;
  const leafPathLengthIndex =
    distinctBound <= 0x10000 ? new Uint16Array(leafSlotCount) : new Uint32Array(leafSlotCount);
  const pathLengths: number[] = [0];
  const pathLengthIndex = new Map<number, number>([[0, 0]]);
  // Work list of (sparse node, dense slot, level); depth-first, so at most depth + 2 entries are pending.
  const pendingNode = new Int32Array(depth + 2);
  const pendingSlot = new Int32Array(depth + 2);
  const pendingLevel = new Int32Array(depth + 2);
  for (let tree = 0; tree < treeCount; tree++) {
    const group = Math.floor(tree / TREES_PER_STEP);
    const inGroup = tree % TREES_PER_STEP;
    const splitEntry = (slot: number): number => (group * splitSlots + slot) * TREES_PER_STEP + inGroup;
    const leafEntry = (leaf: number): number => (group * leafSlots + leaf) * TREES_PER_STEP + inGroup;
    let pending = 1;
    pendingNode[0] = treeRoots[tree];
    pendingSlot[0] = 0;
    pendingLevel[0] = 0;
    while (pending > 0) {
      pending--;
      const node = pendingNode[pending];
      const slot = pendingSlot[pending];
      const level = pendingLevel[pending];
      if (nodeFeature[node] === -1 /* LEAF */) {
        // The level is the leaf's depth in its tree: its path length is computed exactly as while growing.
        const pathLength = level + averagePathLength(nodeSampleCount[node]);
        let index = pathLengthIndex.get(pathLength);
        if (index === undefined) {
          index = pathLengths.length;
          pathLengths.push(pathLength);
          pathLengthIndex.set(pathLength, index);
        }
        // The leaf's slots on the last level: descend 2s + 1 to the leftmost; the span doubles per level.
        const span = 2 ** (depth - level);
        let first = slot;
        for (let l = level; l < depth; l++) {
          first = 2 * first + 1;
        }
        for (let leaf = first - splitSlots; leaf < first - splitSlots + span; leaf++) {
          leafPathLengthIndex[leafEntry(leaf)] = index;
        }
        continue;
      }
      splitFeature[splitEntry(slot)] = nodeFeature[node];
      splitThreshold[splitEntry(slot)] = float32AtMost(nodeThreshold[node]);
      const left = nodeLeftChild[node];
      pendingNode[pending] = left + 1;
      pendingSlot[pending] = 2 * slot + 2;
      pendingLevel[pending] = level + 1;
      pending++;
      pendingNode[pending] = left;
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

/** A zeroed array of `length` column indices of a matrix with `featureCount` columns. */
function featureIndexArray(featureCount: number, length: number): FeatureIndexArray {
  if (featureCount <= 0x100) {
    return new Uint8Array(length);
  }
  return featureCount <= 0x10000 ? new Uint16Array(length) : new Int32Array(length);
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
  const { groupCount, depth, splitFeature, splitThreshold, leafPathLengthIndex, pathLengths, normaliser } = layout;
  // `| 0` on slots and indices: int32 arithmetic, which V8 compiles without overflow checks (see the file comment).
  const splitSlots = ((1 << depth) - 1) | 0;
  const leafSlots = (1 << depth) | 0;
  const pathLengthSums = new Float64Array(Math.min(rowCount, ROWS_PER_BLOCK));
  for (let blockStart = 0; blockStart < rowCount; blockStart += ROWS_PER_BLOCK) {
    const blockEnd = Math.min(blockStart + ROWS_PER_BLOCK, rowCount);
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
    for (let row = blockStart; row < blockEnd; row++) {
      // sklearn: 2 ** (-depths / (n_estimators * c(max_samples_))), and 0.5 where c(max_samples_) is 0
      // exp2, not **: Math.pow differs in the last bit between JavaScript engines (deterministicMath.ts).
      out[row] = normaliser === 0 ? 0.5 : exp2(-pathLengthSums[row - blockStart] / normaliser);
    }
  }
}
