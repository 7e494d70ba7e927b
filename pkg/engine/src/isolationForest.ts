/**
 * Isolation Forest (Liu, Ting & Zhou 2008) with the semantics of scikit-learn 1.2's `IsolationForest`.
 *
 * Anomalies are few and different, so random axis-parallel cuts isolate them in fewer steps than normal points.
 * Each tree is grown on a random subsample by cutting on a random feature at a random value until every point
 * sits alone or the depth limit is reached; the anomaly score is 2^(-E[h(x)] / c(maxSamples)), where h is the
 * path length of x in one tree and c the average path length of an unsuccessful BST search (averagePathLength.ts).
 * Scores are in (0, 1]; near 1 = anomalous, well below 0.5 = normal. The score equals `-sklearn.score_samples`.
 *
 * Parameters (all optional; sklearn's names in camelCase, defaults in brackets):
 *   nEstimators   [100]    number of trees.
 *   maxSamples    ['auto'] rows drawn per tree: 'auto' = min(256, n); a number <= 1 is a fraction of n
 *                          (floor(fraction * n), which must be >= 1); a number > 1 must be an integer row count, and
 *                          counts above n are clipped to n (sklearn does the same, with a warning).
 *   maxFeatures   [1.0]    features drawn per tree: a number <= 1 is a fraction of the columns
 *                          (max(1, floor(fraction * cols)), as sklearn); a number > 1 must be an integer count <= cols.
 *   bootstrap     [false]  draw the rows of a tree with replacement.
 *   contamination ['auto'] expected share of anomalies: 'auto' puts the threshold at 0.5 (the paper's choice);
 *                          a number in (0, 0.5] puts it at the (1 - contamination) quantile of the training scores.
 *   seed          [42]     seed of the engine's own PRNG (random.ts), an integer in [0, 2^32).
 * Since JavaScript has no separate int and float types, 1 means "all" (a fraction) for maxSamples and maxFeatures.
 *
 * Tree growing follows sklearn's ExtraTreeRegressor(max_features=1, splitter='random') as used by its
 * IsolationForest: depth limit ceil(log2(maxSamples)); the split feature is uniform among the features that are
 * not constant in the node (constant: max <= min + 1e-7); the threshold is uniform in [min, max) of that feature in
 * the node (a draw that rounds up to max becomes min); rows with x <= threshold go left. A node becomes a leaf at
 * the depth limit, with at most one row, or when all its features are constant. A point reaching a leaf at depth d
 * that held n training rows has path length d + c(n).
 *
 * A fitted forest keeps its trees in CompactTrees (compactTrees.ts: splits and leaves in separate typed arrays,
 * ~66 kB for 100 trees on 256 rows), since the anomaly proxy keeps thousands of models. anomalyScores walks them
 * directly for a few rows (treeWalk.ts) and lays them out densely for a batch (scoringLayout.ts, ~6x faster per row
 * once built; denseLayoutPays decides); both give the same doubles.
 */
import { averagePathLength } from './averagePathLength';
import { compactTrees, expandTrees, LEAF, splitSampleCounts, type CompactTrees, type GrownTrees } from './compactTrees';
import { depthLimit } from './depthLimit';
import { addPathWeights, averageTrainingPathWeights, rankContributions, splitGains } from './explain';
import { decodeForest, encodeForest, ModelFormatError, type SerializedForest } from './modelFormat';
import { numpyPercentileInPlace } from './numpyPercentile';
import { createRandom, type Random } from './random';
import { buildScoringLayout, denseLayoutPays, scoreRows, type ScoringLayout } from './scoringLayout';
import { scoreRowsByWalking } from './treeWalk';
import type { FeatureContribution, FeatureMatrix, IsolationForestParams } from './types';
import { WorkingArray } from './workingArray';

/**
 * sklearn's FEATURE_THRESHOLD: a feature whose spread in a node is at most this is treated as constant. sklearn
 * declares it float32 and adds it to the float32 minimum in float32, so we round both the same way.
 */
const CONSTANT_FEATURE_TOLERANCE = Math.fround(1e-7);

/** 'auto' row count per tree, from the paper: larger subsamples do not isolate anomalies better. */
const AUTO_MAX_SAMPLES = 256;

/** A fitted forest as toTransfer hands it over: structured-clonable (typed arrays and plain values), no classes. */
export interface TransferredForest {
  params: Required<IsolationForestParams>;
  threshold: number;
  trees: CompactTrees;
  featureCount: number;
  maxSamplesUsed: number;
  /** explain()'s baseline when the forest had computed it; the receiver computes it on first need otherwise. */
  trainingPathWeights?: Float64Array;
}

/** What fit() learns besides the trees. */
interface FittedState {
  readonly trees: CompactTrees;
  /** Per split, the gain of going left and of going right, for explain(); derived on first need (splitGains). */
  splitGains: Float64Array | undefined;
  /** Columns of the training matrix; scored matrices must have the same. */
  readonly featureCount: number;
  /** Rows per tree actually used (maxSamples resolved against the training rows): normalises path lengths. */
  readonly maxSamplesUsed: number;
  /**
   * Anomaly scores of the training rows, kept so that setContamination re-thresholds without refitting. Computed on
   * first need (a numeric contamination, setContamination, toJSON) from `pendingTrainingRows`, so that fitting with
   * contamination 'auto' grows trees only, like sklearn's fit.
   * Lazy rather than scored in fit, measured on the proxy's models (5761 rows x 7 features, 100 trees): the row
   * copy holds 161 kB against 46 kB of scores, but scoring the rows takes ~5 ms against ~4 ms for the whole fit.
   * Hosts that need the scores pay that anyway and drop the copy then (toJSON for the model store,
   * adoptTrainingScores when the training rows are scored); scoring in fit would charge every other fit too.
   */
  trainingScores: Float64Array | undefined;
  /**
   * A private copy of the training rows until their scores are computed; then dropped. Neither this nor
   * trainingScores once releaseTrainingData has dropped both.
   */
  pendingTrainingRows: FeatureMatrix | undefined;
  /**
   * Average path weight per feature over the training rows: the baseline of explain(). Derived from the trees alone
   * on first need (explain, toJSON): a fit that never explains skips it (~0.75 ms of a 100-tree fit's ~3-4 ms in
   * Node, paid 50 times by a 50-series panel and by every cold proxy model).
   */
  trainingPathWeights: Float64Array | undefined;
}

/**
 * The state's trainingPathWeights, computed now if not yet (the same doubles whenever and wherever computed).
 * @param splitCounts splitSampleCounts(state.trees), when the caller has them
 */
function trainingPathWeightsOf(state: FittedState, splitCounts?: Int32Array): Float64Array {
  return (state.trainingPathWeights ??= averageTrainingPathWeights(
    state.trees,
    splitCounts ?? splitSampleCounts(state.trees),
    state.featureCount
  ));
}

/**
 * Checks parameters and fills in defaults.
 * @throws RangeError naming the parameter and the accepted values
 */
export function resolveIsolationForestParams(params: IsolationForestParams = {}): Required<IsolationForestParams> {
  const resolved: Required<IsolationForestParams> = {
    nEstimators: params.nEstimators ?? 100,
    maxSamples: params.maxSamples ?? 'auto',
    maxFeatures: params.maxFeatures ?? 1.0,
    bootstrap: params.bootstrap ?? false,
    contamination: params.contamination ?? 'auto',
    seed: params.seed ?? 42,
  };
  const { nEstimators, maxSamples, maxFeatures, bootstrap, seed } = resolved;
  if (!Number.isInteger(nEstimators) || nEstimators < 1) {
    throw new RangeError(`nEstimators must be an integer >= 1, got ${nEstimators}`);
  }
  if (
    maxSamples !== 'auto' &&
    !(typeof maxSamples === 'number' && maxSamples > 0 && (maxSamples <= 1 || Number.isInteger(maxSamples)))
  ) {
    throw new RangeError(
      `maxSamples must be 'auto', a fraction in (0, 1] or an integer row count > 1, got ${String(maxSamples)}`
    );
  }
  if (!(typeof maxFeatures === 'number' && maxFeatures > 0 && (maxFeatures <= 1 || Number.isInteger(maxFeatures)))) {
    throw new RangeError(`maxFeatures must be a fraction in (0, 1] or an integer column count > 1, got ${maxFeatures}`);
  }
  if (typeof bootstrap !== 'boolean') {
    throw new RangeError(`bootstrap must be true or false, got ${String(bootstrap)}`);
  }
  validateContamination(resolved.contamination);
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
    throw new RangeError(`seed must be an integer in [0, 4294967295], got ${seed}`);
  }
  return resolved;
}

export function validateContamination(contamination: unknown): asserts contamination is 'auto' | number {
  if (contamination === 'auto') {
    return;
  }
  if (!(typeof contamination === 'number' && contamination > 0 && contamination <= 0.5)) {
    throw new RangeError(`contamination must be 'auto' or a number in (0, 0.5], got ${String(contamination)}`);
  }
}

/** Rows per tree for n training rows (sklearn's max_samples_). */
function resolveMaxSamples(maxSamples: 'auto' | number, rowCount: number): number {
  if (maxSamples === 'auto') {
    return Math.min(AUTO_MAX_SAMPLES, rowCount);
  }
  if (maxSamples <= 1) {
    const count = Math.floor(maxSamples * rowCount);
    if (count < 1) {
      throw new RangeError(`maxSamples fraction ${maxSamples} of ${rowCount} rows leaves no row to grow a tree from`);
    }
    return count;
  }
  return Math.min(maxSamples, rowCount); // sklearn clips (with a warning) too
}

/** Features per tree for `featureCount` columns (sklearn's bagging _max_features). */
function resolveMaxFeatures(maxFeatures: number, featureCount: number): number {
  if (maxFeatures <= 1) {
    return Math.max(1, Math.floor(maxFeatures * featureCount));
  }
  if (maxFeatures > featureCount) {
    throw new RangeError(`maxFeatures ${maxFeatures} exceeds the ${featureCount} columns of the training matrix`);
  }
  return maxFeatures;
}

/**
 * Whether `values` is a Float32Array of any realm: one a worker thread posted can come out of structured cloning
 * with another realm's constructor (jest's sandbox, a vm context), and instanceof then says no.
 */
function isFloat32Array(values: unknown): values is Float32Array {
  return ArrayBuffer.isView(values) && Object.prototype.toString.call(values) === '[object Float32Array]';
}

function checkMatrix(x: FeatureMatrix, what: string): void {
  if (!isFloat32Array(x.values)) {
    throw new TypeError(`${what}: values must be a Float32Array`);
  }
  if (!Number.isInteger(x.rows) || !Number.isInteger(x.cols) || x.rows < 0 || x.cols < 1) {
    throw new RangeError(`${what}: rows and cols must be non-negative integers (cols >= 1), got ${x.rows} x ${x.cols}`);
  }
  if (x.values.length !== x.rows * x.cols) {
    throw new RangeError(`${what}: values has ${x.values.length} entries, expected rows * cols = ${x.rows * x.cols}`);
  }
  const values = x.values;
  for (let i = 0; i < values.length; i++) {
    // A NaN would silently go right at every split; sklearn rejects non-finite input too.
    if (!Number.isFinite(values[i])) {
      throw new RangeError(
        `${what}: value at row ${Math.floor(i / x.cols)}, column ${i % x.cols} is ${values[i]}; all values must be finite`
      );
    }
  }
}

/**
 * Picks `count` distinct entries of `pool` uniformly at random, moving them to pool[0..count) (partial
 * Fisher–Yates). The pool stays a permutation, so it can be reused for the next tree without resetting.
 */
function shuffleFirst(pool: Int32Array, count: number, random: Random): void {
  const size = pool.length;
  for (let i = 0; i < count; i++) {
    const j = i + random.nextInt(size - i);
    const swap = pool[i];
    pool[i] = pool[j];
    pool[j] = swap;
  }
}

/** The score threshold for a contamination, as sklearn's offset_ (negated): see the file comment. */
function thresholdFor(contamination: 'auto' | number, scoreTrainingRows: () => Float64Array): number {
  if (contamination === 'auto') {
    return 0.5;
  }
  // sklearn: offset_ = np.percentile(score_samples(X), 100 * contamination), with score_samples = -score.
  return -numpyPercentileInPlace(negated(scoreTrainingRows()), 100.0 * contamination);
}

/**
 * 1 where a score exceeds the threshold (an anomaly), 0 otherwise: predict(), and the detector's scoreResult. A
 * function of its own, not a loop inside scoreResult: V8 compiled scoreResult on stack replacement inside that loop,
 * and the same optimised code was left again after it ("wrong map") on later calls, once per model and refresh in a
 * panel (Chromium's --trace-deopt).
 */
export function flagsAbove(scores: Float64Array, threshold: number): Uint8Array {
  const flags = new Uint8Array(scores.length);
  for (let i = 0; i < scores.length; i++) {
    flags[i] = scores[i] > threshold ? 1 : 0;
  }
  return flags;
}

/**
 * -x for each x, in a new array. A loop of its own: in thresholdFor it was compiled on stack replacement, and the
 * same optimised code was left again after the loop on later fits (Node's --trace-deopt, the panel's worker job).
 */
function negated(values: Float64Array): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = -values[i];
  }
  return out;
}

/** growForest's working arrays, reused from one fit to the next on the thread (see workingArray.ts). */
const GROWING = {
  nodeFeature: new WorkingArray((n) => new Int32Array(n)),
  nodeLeftChild: new WorkingArray((n) => new Int32Array(n)),
  nodeThreshold: new WorkingArray((n) => new Float64Array(n)),
  nodeSampleCount: new WorkingArray((n) => new Int32Array(n)),
  rowPool: new WorkingArray((n) => new Int32Array(n)),
};

/**
 * Grows all trees on `x` (see the file comment for the rules). The nodes it returns are views of the thread's
 * working arrays: valid until the next growForest, long enough for compactTrees, which keeps none of them.
 */
function growForest(
  x: FeatureMatrix,
  treeCount: number,
  maxSamplesUsed: number,
  maxFeaturesUsed: number,
  bootstrap: boolean,
  random: Random
): GrownTrees {
  const { rows: rowCount, cols: featureCount } = x;
  const maxDepth = depthLimit(maxSamplesUsed);
  // Every split has rows on both sides, so a tree has at most maxSamples leaves and 2 * maxSamples - 1 nodes.
  // Working arrays of the thread (workingArray.ts): every node's entries are written before compactTrees reads them,
  // and the pool's entries just below.
  const nodeCapacity = treeCount * (2 * maxSamplesUsed - 1);
  const growing: TreeGrowing = {
    x,
    maxDepth,
    random,
    treeRows: new Int32Array(maxSamplesUsed), // the tree's rows, partitioned in place node by node
    candidates: new Int32Array(maxFeaturesUsed), // features still eligible while choosing a split
    // Depth-first work list; each step pops one node and pushes at most two, so maxDepth + 2 slots suffice.
    stackNode: new Int32Array(maxDepth + 2),
    stackStart: new Int32Array(maxDepth + 2),
    stackEnd: new Int32Array(maxDepth + 2),
    stackDepth: new Int32Array(maxDepth + 2),
    nodeFeature: GROWING.nodeFeature.take(nodeCapacity),
    nodeLeftChild: GROWING.nodeLeftChild.take(nodeCapacity),
    nodeThreshold: GROWING.nodeThreshold.take(nodeCapacity),
    nodeSampleCount: GROWING.nodeSampleCount.take(nodeCapacity),
  };
  const treeRoots = new Int32Array(treeCount);

  const rowPool = GROWING.rowPool.take(rowCount);
  for (let i = 0; i < rowCount; i++) {
    rowPool[i] = i;
  }
  const featurePool = new Int32Array(featureCount);
  for (let f = 0; f < featureCount; f++) {
    featurePool[f] = f;
  }

  const { treeRows } = growing;
  let nodeCount = 0;
  for (let tree = 0; tree < treeCount; tree++) {
    // The tree's features (all, unless maxFeatures < 1) and rows, as sklearn's bagging draws them.
    if (maxFeaturesUsed < featureCount) {
      shuffleFirst(featurePool, maxFeaturesUsed, random);
    }
    const treeFeatures = featurePool.subarray(0, maxFeaturesUsed);
    let treeRowCount = maxSamplesUsed;
    if (bootstrap) {
      // sklearn passes the draw counts as sample weights: a tree holds each drawn row once (its n_node_samples
      // count distinct rows), the weights only carry the duplicates, which never change an isolation split.
      for (let i = 0; i < maxSamplesUsed; i++) {
        treeRows[i] = random.nextInt(rowCount);
      }
      treeRowCount = keepDistinct(treeRows);
    } else {
      shuffleFirst(rowPool, maxSamplesUsed, random);
      treeRows.set(rowPool.subarray(0, maxSamplesUsed));
    }
    treeRoots[tree] = nodeCount;
    nodeCount = growTree(growing, treeFeatures, treeRowCount, nodeCount);
  }

  // Views, not copies: compactTrees reads them once and keeps none (a copy was ~1 MB more per 100-tree fit).
  return {
    treeRoots,
    nodeFeature: growing.nodeFeature.subarray(0, nodeCount),
    nodeLeftChild: growing.nodeLeftChild.subarray(0, nodeCount),
    nodeThreshold: growing.nodeThreshold.subarray(0, nodeCount),
    nodeSampleCount: growing.nodeSampleCount.subarray(0, nodeCount),
  };
}

/** What growTree works with: the forest's rows and limits, its working arrays, and the nodes grown so far. */
interface TreeGrowing {
  x: FeatureMatrix;
  maxDepth: number;
  random: Random;
  treeRows: Int32Array;
  candidates: Int32Array;
  stackNode: Int32Array;
  stackStart: Int32Array;
  stackEnd: Int32Array;
  stackDepth: Int32Array;
  nodeFeature: Int32Array;
  nodeLeftChild: Int32Array;
  nodeThreshold: Float64Array;
  nodeSampleCount: Int32Array;
}

/**
 * Grows one tree on the rows treeRows[0, treeRowCount) and the features `treeFeatures`, its root at node `root`;
 * returns the node count after it. A function per tree, not a loop inside growForest: called a hundred times per
 * fit, V8 compiles it whole once a few fits have run (a panel's warm-up), where one long loop per fit is compiled
 * only as a loop, entered again and recompiled in the first real job (traced in Chromium, docs/performance.md).
 */
function growTree(growing: TreeGrowing, treeFeatures: Int32Array, treeRowCount: number, root: number): number {
  const { x, maxDepth, random, treeRows, candidates, stackNode, stackStart, stackEnd, stackDepth } = growing;
  const { nodeFeature, nodeLeftChild, nodeThreshold, nodeSampleCount } = growing;
  const { cols: featureCount, values } = x;
  const maxFeaturesUsed = treeFeatures.length;
  let nodeCount = root + 1;
  stackNode[0] = root;
  stackStart[0] = 0;
  stackEnd[0] = treeRowCount;
  stackDepth[0] = 0;
  let stackSize = 1;

  while (stackSize > 0) {
    stackSize--;
    const node = stackNode[stackSize];
    const start = stackStart[stackSize];
    const end = stackEnd[stackSize];
    const depth = stackDepth[stackSize];
    const sampleCount = end - start;
    nodeSampleCount[node] = sampleCount;

    // Choose the split feature uniformly among the non-constant ones: draw, and discard constant draws.
    let splitFeature = LEAF;
    let featureMin = 0;
    let featureMax = 0;
    if (depth < maxDepth && sampleCount > 1) {
      candidates.set(treeFeatures);
      let remaining = maxFeaturesUsed;
      while (remaining > 0) {
        const pick = random.nextInt(remaining);
        const feature = candidates[pick];
        let min = Infinity;
        let max = -Infinity;
        for (let i = start; i < end; i++) {
          const value = values[treeRows[i] * featureCount + feature];
          if (value < min) {
            min = value;
          }
          if (value > max) {
            max = value;
          }
        }
        if (max > Math.fround(min + CONSTANT_FEATURE_TOLERANCE)) {
          splitFeature = feature;
          featureMin = min;
          featureMax = max;
          break;
        }
        candidates[pick] = candidates[--remaining];
      }
    }

    if (splitFeature === LEAF) {
      nodeFeature[node] = LEAF;
      nodeLeftChild[node] = LEAF;
      continue;
    }

    let threshold = (featureMax - featureMin) * random.nextFloat() + featureMin;
    if (threshold === featureMax) {
      threshold = featureMin; // rounding reached max: keep the right side non-empty, as sklearn
    }
    // Partition the node's rows: x <= threshold to the front (left child), the rest to the back.
    let low = start;
    let high = end - 1;
    while (low <= high) {
      const row = treeRows[low];
      if (values[row * featureCount + splitFeature] <= threshold) {
        low++;
      } else {
        treeRows[low] = treeRows[high];
        treeRows[high] = row;
        high--;
      }
    }

    const left = nodeCount;
    nodeCount += 2;
    nodeFeature[node] = splitFeature;
    nodeLeftChild[node] = left;
    nodeThreshold[node] = threshold;

    stackNode[stackSize] = left + 1;
    stackStart[stackSize] = low;
    stackEnd[stackSize] = end;
    stackDepth[stackSize] = depth + 1;
    stackSize++;
    stackNode[stackSize] = left;
    stackStart[stackSize] = start;
    stackEnd[stackSize] = low;
    stackDepth[stackSize] = depth + 1;
    stackSize++;
  }
  return nodeCount;
}

/** Sorts `rows` and moves its distinct values to the front; returns how many there are. */
function keepDistinct(rows: Int32Array): number {
  rows.sort();
  let distinct = 0;
  for (let i = 0; i < rows.length; i++) {
    if (i === 0 || rows[i] !== rows[distinct - 1]) {
      rows[distinct++] = rows[i];
    }
  }
  return distinct;
}

/** Whether releaseTrainingData dropped the training rows and their scores (a fitted forest otherwise has one). */
function trainingDataReleased(state: FittedState): boolean {
  return state.trainingScores === undefined && state.pendingTrainingRows === undefined;
}

/**
 * How a host has the rows of a feature matrix scored by a forest: `forest.anomalyScores(matrix, out)` here, or the
 * rows spread over threads (a forest's scores of different rows are independent: IsolationForest.toTransfer hands
 * the forest to another thread, and each row's score is the same double wherever it is computed). It must leave in
 * out[0..matrix.rows) exactly what anomalyScores leaves there.
 */
export type ForestScoring = (forest: IsolationForest, matrix: FeatureMatrix, out: Float64Array) => void;

/** The ForestScoring of a host that gives none: the forest scores the rows itself, on this thread. */
export const anomalyScoring: ForestScoring = (forest, matrix, out) => {
  forest.anomalyScores(matrix, out);
};

/**
 * A scorer that scores batch after batch with one forest through one dense layout (IsolationForest.batchScorer).
 * Same contract as anomalyScores: scores of the rows of `x` into `out` (or a new array), returned.
 */
export type ForestBatchScorer = (x: FeatureMatrix, out?: Float64Array) => Float64Array;

/**
 * Anomaly scores of the rows of `x` into `out`: by the dense layout for a batch, by walking the trees for a few rows.
 * With `kept` (a batch scorer's), a layout built here is left in kept.layout, and one found there is used for any
 * number of rows (walk and layout give the same doubles; once built, the layout is the faster for every row count).
 */
function scoreMatrix(state: FittedState, x: FeatureMatrix, out: Float64Array, kept?: { layout?: ScoringLayout }): void {
  const { trees, featureCount, maxSamplesUsed } = state;
  if (trees.splitFeature.length === 0) {
    // No tree could split (every feature constant): every row is exactly as isolated as the average, 2^-1. Summed and
    // divided, the path lengths made it 0.5000000000000001, which contamination 'auto' (score > 0.5) flagged: every
    // row of a constant series (a review).
    out.fill(0.5, 0, x.rows);
    return;
  }
  const maxDepth = depthLimit(maxSamplesUsed);
  if (kept?.layout !== undefined || denseLayoutPays(x.rows, trees.treeCount, maxDepth)) {
    const layout = kept?.layout ?? buildScoringLayout(trees, featureCount, maxDepth, maxSamplesUsed);
    if (kept !== undefined) {
      kept.layout = layout;
    }
    scoreRows(layout, x.values, x.rows, x.cols, out);
  } else {
    const normaliser = trees.treeCount * averagePathLength(maxSamplesUsed);
    scoreRowsByWalking(trees, maxSamplesUsed, normaliser, x.values, x.rows, x.cols, out);
  }
}

export class IsolationForest {
  private currentParams: Required<IsolationForestParams>;
  private state: FittedState | undefined;
  private currentThreshold = NaN;

  /** @throws RangeError for invalid parameters (see the file comment for each parameter and its default) */
  constructor(params?: IsolationForestParams) {
    this.currentParams = resolveIsolationForestParams(params);
  }

  /** The parameters with defaults filled in. */
  get params(): Required<IsolationForestParams> {
    return this.currentParams;
  }

  /** Anomaly iff score > threshold (= -sklearn offset_). */
  get threshold(): number {
    this.fitted();
    if (Number.isNaN(this.currentThreshold)) {
      this.currentThreshold = thresholdFor(this.currentParams.contamination, () => this.trainingScores());
    }
    return this.currentThreshold;
  }

  /**
   * Grows the trees on the rows of `x` and records the training rows' average path weight per feature (the baseline
   * of explain()). The training rows' scores (for a numeric contamination and re-thresholding) are computed on first
   * need from a copy of `x`.
   * @throws RangeError for an empty matrix, non-finite values, or maxFeatures/maxSamples that do not fit the data
   */
  fit(x: FeatureMatrix): this {
    return this.fitOn(x, { rows: x.rows, cols: x.cols, values: x.values.slice() });
  }

  /**
   * @internal For AnomalyDetector.trainAndScore, which scores the training matrix right after and hands the scores
   * over (adoptTrainingScores): fit() without its private copy of the rows (~350 kB of fresh memory for 10 000 rows
   * of 9 features, which a browser's worker pays in page faults). Until the scores are adopted, the forest reads
   * `x` itself for them: the caller must not change `x` before.
   */
  fitSharingRows(x: FeatureMatrix): this {
    return this.fitOn(x, x);
  }

  private fitOn(x: FeatureMatrix, pendingTrainingRows: FeatureMatrix): this {
    checkMatrix(x, 'IsolationForest.fit');
    if (x.rows < 1) {
      throw new RangeError('IsolationForest.fit: the training matrix has no rows');
    }
    const { nEstimators, maxSamples, maxFeatures, bootstrap, seed } = this.currentParams;
    const maxSamplesUsed = resolveMaxSamples(maxSamples, x.rows);
    const maxFeaturesUsed = resolveMaxFeatures(maxFeatures, x.cols);
    const grown = growForest(x, nEstimators, maxSamplesUsed, maxFeaturesUsed, bootstrap, createRandom(seed));
    const trees = compactTrees(grown, x.cols, maxSamplesUsed);

    this.state = {
      trees,
      splitGains: undefined, // 16 bytes per split, kept only by forests that explain
      featureCount: x.cols,
      maxSamplesUsed,
      trainingScores: undefined,
      pendingTrainingRows,
      trainingPathWeights: undefined,
    };
    this.currentThreshold = NaN; // computed on first read: see the threshold getter
    return this;
  }

  /**
   * Anomaly score of every row of `x`: 2^(-mean path length / c(maxSamples)), in (0, 1] (= -sklearn score_samples).
   * @param out optional array of at least x.rows entries to write into (avoids allocating for repeated batches)
   */
  anomalyScores(x: FeatureMatrix, out?: Float64Array): Float64Array {
    const state = this.fitted();
    const scores = this.checkedScoring(x, out, 'IsolationForest.anomalyScores');
    scoreMatrix(state, x, scores);
    return scores;
  }

  /**
   * anomalyScores for a host that scores many batches with this forest (a stream, a file in chunks): the returned
   * scorer builds the dense layout (scoringLayout.ts, ~190 kB for 100 trees on 256 rows) on the first batch that
   * pays for one and keeps it for the next batches, where anomalyScores builds one per call and drops it. The forest
   * itself keeps no layout (a model at rest stays its compact trees); how long the layout lives is the host's
   * choice: as long as it keeps the scorer. Every row's score is the double anomalyScores gives; after a new fit()
   * the scorer scores with the new trees.
   */
  batchScorer(): ForestBatchScorer {
    let state: FittedState | undefined;
    let kept: { layout?: ScoringLayout } = {};
    return (x, out) => {
      const current = this.fitted();
      if (current !== state) {
        state = current;
        kept = {};
      }
      const scores = this.checkedScoring(x, out, 'IsolationForest.batchScorer');
      scoreMatrix(current, x, scores, kept);
      return scores;
    };
  }

  /** 1 for rows whose score exceeds the threshold (anomalies), 0 otherwise. */
  predict(x: FeatureMatrix): Uint8Array {
    return flagsAbove(this.anomalyScores(x), this.threshold);
  }

  /**
   * Sets a new contamination. A fitted forest re-thresholds from the kept training scores, without refitting.
   * @throws RangeError unless c is 'auto' or in (0, 0.5]; Error for a number after releaseTrainingData (unchanged then)
   */
  setContamination(contamination: 'auto' | number): void {
    validateContamination(contamination);
    if (this.state !== undefined) {
      this.currentThreshold = thresholdFor(contamination, () => this.trainingScores());
    }
    this.currentParams = { ...this.currentParams, contamination };
  }

  /**
   * The features most responsible for isolating row `row` of `x` (see explain.ts), sorted by weight, descending.
   * @param top how many features to return [all]
   */
  explain(x: FeatureMatrix, row: number, top?: number): FeatureContribution[] {
    const state = this.fitted();
    if (!Number.isInteger(row) || row < 0 || row >= x.rows) {
      throw new RangeError(`explain: row must be an integer in [0, ${x.rows}), got ${row}`);
    }
    if (top !== undefined && !(Number.isInteger(top) && top >= 0)) {
      throw new RangeError(`explain: top must be a non-negative integer, got ${top}`);
    }
    this.checkShape(x, 'IsolationForest.explain');
    const rowOffset = row * x.cols;
    for (let f = 0; f < x.cols; f++) {
      if (!Number.isFinite(x.values[rowOffset + f])) {
        throw new RangeError(`explain: value at row ${row}, column ${f} is ${x.values[rowOffset + f]}; must be finite`);
      }
    }
    // A first explain derives both baselines from one count of the training rows per split.
    const splitCounts = state.splitGains && state.trainingPathWeights ? undefined : splitSampleCounts(state.trees);
    state.splitGains ??= splitGains(state.trees, splitCounts!);
    const pointWeights = new Float64Array(state.featureCount);
    addPathWeights(state.trees, state.splitGains, x.values, rowOffset, pointWeights);
    return rankContributions(pointWeights, trainingPathWeightsOf(state, splitCounts), top);
  }

  /**
   * Versioned JSON form (modelFormat.ts); fromJSON(JSON.parse(JSON.stringify(toJSON()))) scores bit-identically.
   * @throws Error after releaseTrainingData (the model file holds the training scores)
   */
  toJSON(): SerializedForest {
    const state = this.fitted();
    const trainingScores = this.trainingScores();
    return encodeForest({
      params: this.currentParams,
      featureCount: state.featureCount,
      maxSamplesUsed: state.maxSamplesUsed,
      threshold: this.threshold,
      trees: expandTrees(state.trees),
      trainingScores,
      trainingPathWeights: trainingPathWeightsOf(state),
    });
  }

  /**
   * What scoring needs, as typed arrays a worker thread can be handed without copying them element by element (see
   * AnomalyDetector.toTransfer): the compact trees themselves, not the serialised form. Fixes the threshold first.
   */
  toTransfer(): TransferredForest {
    const state = this.fitted();
    return {
      params: { ...this.currentParams },
      threshold: this.threshold,
      trees: { ...state.trees },
      featureCount: state.featureCount,
      maxSamplesUsed: state.maxSamplesUsed,
      trainingPathWeights: state.trainingPathWeights,
    };
  }

  /**
   * The forest toTransfer described, scoring (and explaining) exactly as the original; it holds no training data
   * (as after releaseTrainingData). No per-tree work: the arrays are taken as they are, not checked.
   */
  static fromTransfer(transfer: TransferredForest): IsolationForest {
    const forest = new IsolationForest(transfer.params);
    forest.state = {
      trees: transfer.trees,
      splitGains: undefined,
      featureCount: transfer.featureCount,
      maxSamplesUsed: transfer.maxSamplesUsed,
      trainingScores: undefined,
      pendingTrainingRows: undefined,
      trainingPathWeights: transfer.trainingPathWeights,
    };
    forest.currentThreshold = transfer.threshold;
    return forest;
  }

  /** @throws ModelFormatError when `json` is not a model written by toJSON (unknown version, corrupted, truncated) */
  static fromJSON(json: unknown): IsolationForest {
    const decoded = decodeForest(json);
    let forest: IsolationForest;
    let maxSamplesUsed: number;
    try {
      forest = new IsolationForest(decoded.params);
      maxSamplesUsed = resolveMaxSamples(forest.currentParams.maxSamples, decoded.trainingScores.length);
      resolveMaxFeatures(forest.currentParams.maxFeatures, decoded.featureCount);
    } catch (error) {
      throw new ModelFormatError(`invalid params: ${(error as Error).message}`);
    }
    if (maxSamplesUsed !== decoded.maxSamplesUsed) {
      throw new ModelFormatError(
        `maxSamplesUsed is ${decoded.maxSamplesUsed}, but maxSamples ${forest.currentParams.maxSamples} with ` +
          `${decoded.trainingScores.length} training rows gives ${maxSamplesUsed}`
      );
    }
    if (decoded.trees.treeRoots.length !== forest.currentParams.nEstimators) {
      throw new ModelFormatError(
        `the model has ${decoded.trees.treeRoots.length} trees but nEstimators is ${forest.currentParams.nEstimators}`
      );
    }
    const threshold = thresholdFor(forest.currentParams.contamination, () => decoded.trainingScores);
    if (threshold !== decoded.threshold) {
      throw new ModelFormatError(
        `threshold ${decoded.threshold} does not match the training scores and contamination (expected ${threshold})`
      );
    }
    forest.state = {
      trees: compactTrees(decoded.trees, decoded.featureCount, decoded.maxSamplesUsed),
      splitGains: undefined,
      featureCount: decoded.featureCount,
      maxSamplesUsed: decoded.maxSamplesUsed,
      trainingScores: decoded.trainingScores,
      pendingTrainingRows: undefined,
      trainingPathWeights: decoded.trainingPathWeights,
    };
    forest.currentThreshold = threshold;
    return forest;
  }

  /**
   * @internal For AnomalyDetector.trainAndScore, which scores the training matrix anyway: hands over those scores
   * (anomalyScores of exactly the matrix given to fit) so that the threshold does not score the rows a second time.
   * The forest keeps `scores` as is (pass a copy if the caller may modify it) and drops its copy of the rows.
   * @throws Error when not fitted; RangeError when `scores` does not have one entry per training row
   */
  adoptTrainingScores(scores: Float64Array): void {
    const state = this.fitted();
    if (trainingDataReleased(state)) {
      throw new Error('adoptTrainingScores: the training data was released (releaseTrainingData)');
    }
    const trainingRows = state.pendingTrainingRows?.rows ?? state.trainingScores!.length;
    if (!(scores instanceof Float64Array) || scores.length !== trainingRows) {
      throw new RangeError(
        `adoptTrainingScores: expected a Float64Array of ${trainingRows} scores (one per training row), got ` +
          (scores instanceof Float64Array ? `${scores.length}` : String(scores))
      );
    }
    state.trainingScores = scores;
    state.pendingTrainingRows = undefined;
  }

  /**
   * For hosts that keep many models in memory and never re-threshold them (the anomaly proxy, which saves a model
   * before it calls this): fixes the threshold of the current contamination, then drops the training rows' scores
   * and the copy of the rows they come from (~46 kB for a day at 15 s, against ~66 kB of trees). Scoring, predict
   * and explain work as before; setContamination to a number and toJSON throw from then on.
   */
  releaseTrainingData(): void {
    const state = this.fitted();
    void this.threshold; // computed (from the training scores, if it needs them) and kept before they go
    state.trainingScores = undefined;
    state.pendingTrainingRows = undefined;
  }

  private fitted(): FittedState {
    if (this.state === undefined) {
      throw new Error('IsolationForest is not fitted: call fit() (or IsolationForest.fromJSON) first');
    }
    return this.state;
  }

  /** The training rows' scores, computed once from the kept copy of the training rows. */
  private trainingScores(): Float64Array {
    const state = this.fitted();
    if (trainingDataReleased(state)) {
      throw new Error(
        'this forest released its training data (releaseTrainingData): it scores, but cannot be re-thresholded to ' +
          'a numeric contamination or saved'
      );
    }
    if (state.trainingScores === undefined) {
      const rows = state.pendingTrainingRows!;
      state.trainingScores = new Float64Array(rows.rows);
      scoreMatrix(state, rows, state.trainingScores);
      state.pendingTrainingRows = undefined;
    }
    return state.trainingScores;
  }

  /** Checks a matrix to score (and `out`, if given: room for its rows); the array the scores go to. */
  private checkedScoring(x: FeatureMatrix, out: Float64Array | undefined, what: string): Float64Array {
    checkMatrix(x, what);
    this.checkShape(x, what);
    if (out !== undefined && out.length < x.rows) {
      throw new RangeError(`${what}: out has ${out.length} entries, need at least ${x.rows}`);
    }
    return out ?? new Float64Array(x.rows);
  }

  private checkShape(x: FeatureMatrix, what: string): void {
    if (x.values.length !== x.rows * x.cols) {
      throw new RangeError(`${what}: values has ${x.values.length} entries, expected rows * cols = ${x.rows * x.cols}`);
    }
    const featureCount = this.fitted().featureCount;
    if (x.cols !== featureCount) {
      throw new RangeError(`${what}: the matrix has ${x.cols} columns, the forest was fitted on ${featureCount}`);
    }
  }
}
