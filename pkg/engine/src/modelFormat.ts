/**
 * The serialised Isolation Forest: versioned JSON whose bulk (tree nodes, training scores) is typed arrays as
 * little-endian base64, so a model is compact, round-trips bit for bit through JSON.stringify/parse, and reads the
 * same on any host. Decoding validates every field and the structure of every tree, so a corrupted, truncated or
 * foreign document fails with a ModelFormatError saying what is wrong instead of scoring garbage.
 *
 * Version history: 1 — first format.
 */
import { FLOAT32_MAX } from './validateTable';
import type { GrownTrees } from './compactTrees';
import { depthLimit } from './depthLimit';
import type { IsolationForestParams } from './types';

export const FOREST_FORMAT = 'telemetry-analyzer/isolation-forest';
export const FOREST_FORMAT_VERSION = 1;

/** A model file that cannot be read: unknown format or version, missing or inconsistent fields, broken trees. */
export class ModelFormatError extends Error {
  constructor(message: string) {
    super(`Invalid isolation forest model: ${message}`);
    this.name = 'ModelFormatError';
  }
}

/** JSON form of a fitted IsolationForest (IsolationForest.toJSON). */
export interface SerializedForest {
  format: typeof FOREST_FORMAT;
  formatVersion: typeof FOREST_FORMAT_VERSION;
  params: Required<IsolationForestParams>;
  /** Columns of the training matrix. */
  featureCount: number;
  /** Rows per tree actually used. */
  maxSamplesUsed: number;
  /** Score threshold for the contamination in params (anomaly iff score > threshold). */
  threshold: number;
  trees: {
    /** Number of trees; equals params.nEstimators. */
    count: number;
    /** Number of nodes over all trees. */
    nodeCount: number;
    /** Base64 little-endian arrays, see GrownTrees in compactTrees.ts. */
    roots: string; // Int32, count entries
    feature: string; // Int32, nodeCount entries
    leftChild: string; // Int32, nodeCount entries
    threshold: string; // Float64, nodeCount entries
    sampleCount: string; // Int32, nodeCount entries
  };
  /** Number of training rows. */
  trainingRows: number;
  /** Base64 Float64, trainingRows entries: anomaly scores of the training rows. */
  trainingScores: string;
  /** Base64 Float64, featureCount entries: average explain() path weight per feature over the training rows. */
  trainingPathWeights: string;
}

/** Everything a fitted forest consists of, as encodeForest takes it and decodeForest returns it. */
export interface ForestModel {
  params: Required<IsolationForestParams>;
  featureCount: number;
  maxSamplesUsed: number;
  threshold: number;
  trees: GrownTrees;
  trainingScores: Float64Array;
  trainingPathWeights: Float64Array;
}

export function encodeForest(model: ForestModel): SerializedForest {
  const { trees } = model;
  return {
    format: FOREST_FORMAT,
    formatVersion: FOREST_FORMAT_VERSION,
    params: { ...model.params },
    featureCount: model.featureCount,
    maxSamplesUsed: model.maxSamplesUsed,
    threshold: model.threshold,
    trees: {
      count: trees.treeRoots.length,
      nodeCount: trees.nodeFeature.length,
      roots: encodeInt32(trees.treeRoots),
      feature: encodeInt32(trees.nodeFeature),
      leftChild: encodeInt32(trees.nodeLeftChild),
      threshold: encodeFloat64(trees.nodeThreshold),
      sampleCount: encodeInt32(trees.nodeSampleCount),
    },
    trainingRows: model.trainingScores.length,
    trainingScores: encodeFloat64(model.trainingScores),
    trainingPathWeights: encodeFloat64(model.trainingPathWeights),
  };
}

/**
 * Reads a SerializedForest (already JSON.parse'd). Checks the fields' types, lengths and ranges and the tree
 * structure. Parameter values are checked by the IsolationForest itself.
 * @throws ModelFormatError
 */
export function decodeForest(json: unknown): ForestModel {
  const document = expectObject(json, 'the model');
  if (document.format !== FOREST_FORMAT) {
    throw new ModelFormatError(`format is ${describe(document.format)}, expected "${FOREST_FORMAT}"`);
  }
  if (document.formatVersion !== FOREST_FORMAT_VERSION) {
    throw new ModelFormatError(
      `unsupported formatVersion ${describe(document.formatVersion)}; this engine reads version ${FOREST_FORMAT_VERSION}`
    );
  }
  const params = expectObject(document.params, 'params') as Required<IsolationForestParams>;
  const featureCount = expectInteger(document.featureCount, 'featureCount', 1);
  const maxSamplesUsed = expectInteger(document.maxSamplesUsed, 'maxSamplesUsed', 1);
  const threshold = document.threshold;
  if (typeof threshold !== 'number' || !(threshold > 0 && threshold <= 1)) {
    throw new ModelFormatError(`threshold must be a number in (0, 1], got ${describe(threshold)}`);
  }

  const treesJson = expectObject(document.trees, 'trees');
  const treeCount = expectInteger(treesJson.count, 'trees.count', 1);
  const nodeCount = expectInteger(treesJson.nodeCount, 'trees.nodeCount', 1);
  const treeRoots = decodeInt32(treesJson.roots, 'trees.roots', treeCount);
  const nodeFeature = decodeInt32(treesJson.feature, 'trees.feature', nodeCount);
  const nodeLeftChild = decodeInt32(treesJson.leftChild, 'trees.leftChild', nodeCount);
  const nodeThreshold = decodeFloat64(treesJson.threshold, 'trees.threshold', nodeCount);
  const nodeSampleCount = decodeInt32(treesJson.sampleCount, 'trees.sampleCount', nodeCount);

  const trainingRows = expectInteger(document.trainingRows, 'trainingRows', 1);
  const trainingScores = decodeFloat64(document.trainingScores, 'trainingScores', trainingRows);
  for (let i = 0; i < trainingRows; i++) {
    if (!(trainingScores[i] > 0 && trainingScores[i] <= 1)) {
      throw new ModelFormatError(`trainingScores[${i}] is ${trainingScores[i]}, scores lie in (0, 1]`);
    }
  }
  const trainingPathWeights = decodeFloat64(document.trainingPathWeights, 'trainingPathWeights', featureCount);
  for (let f = 0; f < featureCount; f++) {
    if (!(trainingPathWeights[f] >= 0 && Number.isFinite(trainingPathWeights[f]))) {
      throw new ModelFormatError(
        `trainingPathWeights[${f}] is ${trainingPathWeights[f]}, expected a finite number >= 0`
      );
    }
  }

  const trees: GrownTrees = { treeRoots, nodeFeature, nodeLeftChild, nodeThreshold, nodeSampleCount };
  checkTrees(trees, featureCount, maxSamplesUsed, params.bootstrap === true);
  return { params, featureCount, maxSamplesUsed, threshold, trees, trainingScores, trainingPathWeights };
}

/**
 * Walks every tree from its root: each tree must own a contiguous block of nodes, every node in it must be reached
 * exactly once, children come after their parent (so walks terminate), no split lies at or below the depth limit
 * (scoring lays trees out that deep), split features are columns, thresholds are finite float32-range numbers, and
 * sample counts add up.
 */
function checkTrees(trees: GrownTrees, featureCount: number, maxSamplesUsed: number, bootstrap: boolean): void {
  const { treeRoots, nodeFeature, nodeLeftChild, nodeThreshold, nodeSampleCount } = trees;
  const nodeCount = nodeFeature.length;
  const maxDepth = depthLimit(maxSamplesUsed);
  const reached = new Uint8Array(nodeCount);
  const nodeDepth = new Int32Array(nodeCount);
  for (let tree = 0; tree < treeRoots.length; tree++) {
    const root = treeRoots[tree];
    const end = tree + 1 < treeRoots.length ? treeRoots[tree + 1] : nodeCount;
    if (tree === 0 && root !== 0) {
      throw new ModelFormatError(`trees.roots[0] is ${root}, the first tree must start at node 0`);
    }
    if (!(root < end && end <= nodeCount)) {
      throw new ModelFormatError(`trees.roots: tree ${tree} spans nodes [${root}, ${end}), not a valid block`);
    }
    // A bootstrap draw holds each drawn row once: between 1 and maxSamplesUsed distinct rows.
    const rootSamples = nodeSampleCount[root];
    if (bootstrap ? !(rootSamples >= 1 && rootSamples <= maxSamplesUsed) : rootSamples !== maxSamplesUsed) {
      throw new ModelFormatError(
        `tree ${tree}: the root holds ${rootSamples} samples, expected ${bootstrap ? 'from 1 to ' : ''}maxSamplesUsed = ${maxSamplesUsed}`
      );
    }
    reached[root] = 1;
    // Children always have larger ids than their parent, so visiting ids in order sees parents first.
    for (let node = root; node < end; node++) {
      if (reached[node] !== 1) {
        throw new ModelFormatError(`tree ${tree}: node ${node} is not reached from the root`);
      }
      const feature = nodeFeature[node];
      const left = nodeLeftChild[node];
      const samples = nodeSampleCount[node];
      if (feature === -1 /* LEAF */) {
        if (left !== -1 || samples < 1) {
          throw new ModelFormatError(`tree ${tree}: leaf ${node} has leftChild ${left} and ${samples} samples`);
        }
        continue;
      }
      if (!(feature >= 0 && feature < featureCount)) {
        throw new ModelFormatError(
          `tree ${tree}: node ${node} splits on feature ${feature}, not in [0, ${featureCount})`
        );
      }
      if (!(left > node && left + 1 < end)) {
        throw new ModelFormatError(
          `tree ${tree}: node ${node} has children ${left}, ${left + 1} outside [${node + 1}, ${end})`
        );
      }
      // Inputs are float32: a threshold beyond the largest one could never be written back.
      if (!(Math.abs(nodeThreshold[node]) <= FLOAT32_MAX)) {
        throw new ModelFormatError(
          `tree ${tree}: node ${node} has threshold ${nodeThreshold[node]}, not a finite float32-range number`
        );
      }
      if (nodeDepth[node] >= maxDepth) {
        throw new ModelFormatError(
          `tree ${tree}: node ${node} splits at depth ${nodeDepth[node]}, but trees on ${maxSamplesUsed} rows ` +
            `stop at depth ${maxDepth}`
        );
      }
      if (reached[left] !== 0 || reached[left + 1] !== 0) {
        throw new ModelFormatError(`tree ${tree}: node ${left} or ${left + 1} has two parents`);
      }
      if (
        nodeSampleCount[left] < 1 ||
        nodeSampleCount[left + 1] < 1 ||
        nodeSampleCount[left] + nodeSampleCount[left + 1] !== samples
      ) {
        throw new ModelFormatError(`tree ${tree}: the children of node ${node} do not split its ${samples} samples`);
      }
      reached[left] = 1;
      reached[left + 1] = 1;
      nodeDepth[left] = nodeDepth[node] + 1;
      nodeDepth[left + 1] = nodeDepth[node] + 1;
    }
  }
}

function describe(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 40 ? `${text.slice(0, 40)}…` : text;
}

function expectObject(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ModelFormatError(`${what} must be a JSON object, got ${describe(value)}`);
  }
  return value as Record<string, unknown>;
}

function expectInteger(value: unknown, what: string, min: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > 0x7fffffff) {
    throw new ModelFormatError(`${what} must be an integer >= ${min}, got ${describe(value)}`);
  }
  return value;
}

// ---- little-endian typed arrays <-> base64 (own code: no Buffer in browsers, no btoa in the engine's contract)

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const BASE64_VALUE = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE64_ALPHABET.length; i++) {
  BASE64_VALUE[BASE64_ALPHABET.charCodeAt(i)] = i;
}

function encodeInt32(array: ArrayLike<number>): string {
  const view = new DataView(new ArrayBuffer(array.length * 4));
  for (let i = 0; i < array.length; i++) {
    view.setInt32(i * 4, array[i], true);
  }
  return bytesToBase64(new Uint8Array(view.buffer));
}

function encodeFloat64(array: Float64Array): string {
  const view = new DataView(new ArrayBuffer(array.length * 8));
  for (let i = 0; i < array.length; i++) {
    view.setFloat64(i * 8, array[i], true);
  }
  return bytesToBase64(new Uint8Array(view.buffer));
}

function decodeInt32(value: unknown, what: string, expectedLength: number): Int32Array {
  const view = decodeBytes(value, what, expectedLength, 4);
  const array = new Int32Array(expectedLength);
  for (let i = 0; i < expectedLength; i++) {
    array[i] = view.getInt32(i * 4, true);
  }
  return array;
}

function decodeFloat64(value: unknown, what: string, expectedLength: number): Float64Array {
  const view = decodeBytes(value, what, expectedLength, 8);
  const array = new Float64Array(expectedLength);
  for (let i = 0; i < expectedLength; i++) {
    array[i] = view.getFloat64(i * 8, true);
  }
  return array;
}

function decodeBytes(value: unknown, what: string, expectedLength: number, bytesPerValue: number): DataView {
  if (typeof value !== 'string') {
    throw new ModelFormatError(`${what} must be a base64 string, got ${describe(value)}`);
  }
  const bytes = base64ToBytes(value, what);
  if (bytes.length !== expectedLength * bytesPerValue) {
    throw new ModelFormatError(
      `${what} holds ${bytes.length} bytes, expected ${expectedLength} values of ${bytesPerValue} bytes (truncated?)`
    );
  }
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i];
    const b1 = i + 1 < bytes.length ? bytes[i + 1] : 0;
    const b2 = i + 2 < bytes.length ? bytes[i + 2] : 0;
    chunk +=
      BASE64_ALPHABET[b0 >> 2] +
      BASE64_ALPHABET[((b0 & 3) << 4) | (b1 >> 4)] +
      (i + 1 < bytes.length ? BASE64_ALPHABET[((b1 & 15) << 2) | (b2 >> 6)] : '=') +
      (i + 2 < bytes.length ? BASE64_ALPHABET[b2 & 63] : '=');
    if (chunk.length >= 8192) {
      parts.push(chunk); // keeps string concatenation shallow for large models
      chunk = '';
    }
  }
  parts.push(chunk);
  return parts.join('');
}

function base64ToBytes(text: string, what: string): Uint8Array {
  if (text.length % 4 !== 0) {
    throw new ModelFormatError(
      `${what} is not valid base64: length ${text.length} is not a multiple of 4 (truncated?)`
    );
  }
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  const bytes = new Uint8Array((text.length / 4) * 3 - padding);
  let byteIndex = 0;
  for (let i = 0; i < text.length; i += 4) {
    let group = 0;
    for (let k = 0; k < 4; k++) {
      const code = text.charCodeAt(i + k);
      const isPadding = code === 61 /* '=' */ && i + 4 === text.length && k >= 4 - padding;
      const digit = isPadding ? 0 : code < 128 ? BASE64_VALUE[code] : -1;
      if (digit < 0) {
        throw new ModelFormatError(`${what} is not valid base64: unexpected character at position ${i + k}`);
      }
      group = (group << 6) | digit;
    }
    bytes[byteIndex++] = group >> 16;
    if (byteIndex < bytes.length) {
      bytes[byteIndex++] = (group >> 8) & 255;
    }
    if (byteIndex < bytes.length) {
      bytes[byteIndex++] = group & 255;
    }
  }
  return bytes;
}
