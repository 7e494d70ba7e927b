/**
 * The slot the tooltip shows for a hovered one: the nearest slot where a series has a point. The plots' x values are
 * the pixel grid's slots (two per column), and most slots of a series sparser than the grid hold no point (NaN), so
 * a tooltip of the hovered slot alone showed only a time between points (a browser review: 82 of 100 hovers over a
 * 150-point series in an 820 px panel). As Grafana's time series tooltip, it snaps to the nearest point: within the
 * distance over which the chart connects a series' points (spanOf), so a gap stays a gap.
 */
import type { DrawnRef } from './chartFrames';

/**
 * @param x the slots' times
 * @param spansMs per drawn series, the distance over which its points are connected (ms)
 * @returns the nearest slot to `hovered` holding a point (a line value or a mark) of some series no further than its
 *   span, `hovered` itself when none is
 */
export function tooltipSlot(
  x: ArrayLike<number>,
  drawn: readonly DrawnRef[],
  spansMs: readonly number[],
  hovered: number
): number {
  const hasPointNear = (slot: number) =>
    drawn.some(
      (d, i) =>
        (!Number.isNaN(d.drawn.line[slot]) || !Number.isNaN(d.drawn.marks[slot])) &&
        Math.abs(x[slot] - x[hovered]) <= spansMs[i]
    );
  const reach = Math.max(0, ...spansMs);
  for (let distance = 0; ; distance++) {
    const before = hovered - distance;
    const after = hovered + distance;
    const beforeIn = before >= 0 && x[hovered] - x[before] <= reach;
    const afterIn = after < x.length && x[after] - x[hovered] <= reach;
    if (!beforeIn && !afterIn) {
      return hovered;
    }
    if (beforeIn && hasPointNear(before)) {
      return before;
    }
    if (afterIn && hasPointNear(after)) {
      return after;
    }
  }
}
