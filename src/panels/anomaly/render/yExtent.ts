/**
 * The value range a plot's y axis shows when the field sets no Min and Max: the finite values of its lines, padded.
 *
 * uPlot's own (1.6.32 getMinMax) starts from the first value in the visible window and skips null but not NaN; the
 * lines here are the worker's per-pixel-column arrays, where NaN marks a column without a point. When the window
 * began on such a column the whole scale became NaN, and the chart drew nothing (a browser review: one series of
 * 360 points at 1 min in an 820 px panel, blank on about every fourth refresh of a relative range).
 */

/** The smallest and largest finite value of `lines[first..]`, or undefined when there is none. */
export function finiteExtent(
  lines: ReadonlyArray<ArrayLike<number | null | undefined>>,
  first = 0
): [number, number] | undefined {
  let min = Infinity;
  let max = -Infinity;
  for (let l = first; l < lines.length; l++) {
    const values = lines[l];
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (typeof value === 'number' && value < min) {
        min = value;
      }
      if (typeof value === 'number' && value > max) {
        max = value;
      }
    }
  }
  return min <= max && Number.isFinite(min) && Number.isFinite(max) ? [min, max] : undefined;
}

/** Padding on each side, as a share of the range (Grafana's default for a time series' y axis). */
const PAD = 0.1;

/**
 * `extent` padded by PAD of its span on each side, as Grafana pads a time series' axis (not across 0: values that
 * are all positive keep 0 as the floor at most), with the field's hard Min or Max where it sets one. No values:
 * [0, 1] padded, or from the one bound given.
 */
export function paddedYRange(
  extent: [number, number] | undefined,
  hard: { min?: number; max?: number } = {}
): [number, number] {
  const [low, high] = extent ?? [hard.min ?? 0, hard.max ?? (hard.min ?? 0) + 1];
  const span = high - low || Math.abs(high) || 1;
  let min = low - PAD * span;
  let max = high + PAD * span;
  if (low >= 0 && min < 0) {
    min = 0;
  }
  if (high <= 0 && max > 0) {
    max = 0;
  }
  // Values near the largest double pad past it: the axis ends there instead of at ±Infinity (a NaN scale).
  min = hard.min ?? Math.max(min, -Number.MAX_VALUE);
  max = hard.max ?? Math.min(max, Number.MAX_VALUE);
  return min < max ? [min, max] : [min, min + 1];
}
