/**
 * sklearn's depth limit for isolation trees grown on `maxSamplesUsed` rows: ceil(log2(max(maxSamplesUsed, 2))),
 * the average depth of a balanced tree on those rows, below which splitting stops paying (integer arithmetic).
 * Fitting stops there, the model format rejects deeper trees, and the dense scoring layout has this many levels.
 */
export function depthLimit(maxSamplesUsed: number): number {
  let depth = 1;
  while (2 ** depth < maxSamplesUsed) {
    depth++;
  }
  return depth;
}
