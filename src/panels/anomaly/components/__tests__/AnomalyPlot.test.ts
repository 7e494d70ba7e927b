import { columnWidth, firstColumn, slotTimes } from '../../pipeline/decimate';
import { visibleRangeOf, withVisibleRange } from '../AnomalyPlot';

describe('anchored pixel columns on the plot', () => {
  const grid = { fromMs: 1_735_689_612_345, toMs: 1_735_689_612_345 + 9_999 * 60_000, columns: 820 };
  // A relative range refreshed a point later: same span, same column width, the boundaries stay where they were.
  const moved = { ...grid, fromMs: grid.fromMs + 60_000, toMs: grid.toMs + 60_000 };

  it('a range moved on with the same span keeps the slots of the columns both grids hold', () => {
    expect(columnWidth(moved)).toBe(columnWidth(grid));
    const shift = firstColumn(moved) - firstColumn(grid);
    expect(shift).toBeGreaterThanOrEqual(0);
    const a = slotTimes(grid);
    const b = slotTimes(moved);
    for (let c = shift; c < grid.columns; c++) {
      expect([b[2 * (c - shift)], b[2 * (c - shift) + 1]]).toEqual([a[2 * c], a[2 * c + 1]]);
    }
    // The first column holds fromMs (its slots may lie before it); the last one everything up to toMs.
    const width = columnWidth(grid);
    expect(a[0] - width / 4).toBeLessThanOrEqual(grid.fromMs);
    expect(a[a.length - 1]).toBeLessThanOrEqual(grid.toMs);
    expect(a[a.length - 1] + 1.25 * width).toBeGreaterThanOrEqual(grid.toMs);
  });

  it("the plot's x axis shows the visible range the slots carry, not the slots' extent", () => {
    const x = withVisibleRange(slotTimes(grid), [grid.fromMs, grid.toMs]);
    expect(visibleRangeOf(x)).toEqual([grid.fromMs, grid.toMs]);
    expect(visibleRangeOf(Float64Array.of(5, 7, 9))).toEqual([5, 9]);
    expect(visibleRangeOf([])).toEqual([0, 1]);
  });
});
