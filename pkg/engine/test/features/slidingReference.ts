// Straightforward O(n·w) sliding-window statistics (two passes per window) to check the O(n) versions against
// on data too long for a fixture file.

function windowAt(values: Float64Array, end: number, window: number): Float64Array | undefined {
  if (end + 1 < window) {
    return undefined;
  }
  const slice = values.subarray(end + 1 - window, end + 1);
  return slice.some(Number.isNaN) ? undefined : slice;
}

export function slidingMean(values: Float64Array, window: number): Float64Array {
  return values.map((_, end) => {
    const slice = windowAt(values, end, window);
    return slice === undefined ? NaN : slice.reduce((a, b) => a + b, 0) / window;
  });
}

export function slidingStd(values: Float64Array, window: number): Float64Array {
  return values.map((_, end) => {
    const slice = windowAt(values, end, window);
    if (slice === undefined || window < 2) {
      return NaN;
    }
    const mean = slice.reduce((a, b) => a + b, 0) / window;
    return Math.sqrt(slice.reduce((a, b) => a + (b - mean) ** 2, 0) / (window - 1));
  });
}

export function slidingMin(values: Float64Array, window: number): Float64Array {
  return values.map((_, end) => {
    const slice = windowAt(values, end, window);
    return slice === undefined ? NaN : Math.min(...slice);
  });
}

export function slidingMax(values: Float64Array, window: number): Float64Array {
  return values.map((_, end) => {
    const slice = windowAt(values, end, window);
    return slice === undefined ? NaN : Math.max(...slice);
  });
}

/** Seeded xorshift noise in [-0.5, 0.5), so the long test series are reproducible. */
export function noise(n: number, seed: number): Float64Array {
  let state = seed >>> 0 || 1;
  return Float64Array.from({ length: n }, () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 2 ** 32 - 0.5;
  });
}

/** Largest |actual - expected| / |expected| over the positions where expected is a number (NaNs must match). */
export function maxRelativeError(actual: Float64Array, expected: Float64Array): number {
  let worst = 0;
  expected.forEach((want, i) => {
    if (Number.isNaN(want) !== Number.isNaN(actual[i])) {
      worst = Infinity;
    } else if (!Number.isNaN(want)) {
      const error = want === 0 ? Math.abs(actual[i]) : Math.abs(actual[i] - want) / Math.abs(want);
      worst = Math.max(worst, error);
    }
  });
  return worst;
}
