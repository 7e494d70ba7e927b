import React from 'react';
import { render, waitFor } from '@testing-library/react';
import { createTheme } from '@grafana/data';
import { columnWidth, firstColumn, slotTimes } from '../../pipeline/decimate';
import { canvasClears, installPlotStubs, plots } from '../../testing/jsdomPlot';
import { DRAWN_FROM_ATTRIBUTE } from '../../testIds';
import { AnomalyPlot, type PlotLine, visibleRangeOf, withVisibleRange } from '../AnomalyPlot';

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

describe('a plot given new data and a new size at once', () => {
  beforeAll(installPlotStubs);
  // One theme: another one builds another plot.
  const theme = createTheme();

  const line = (values: number[]): PlotLine[] => [
    { label: 'cpu', color: '#73bf69', values: Float64Array.from(values), spanMs: Infinity },
  ];
  const xFrom = (fromMs: number) =>
    withVisibleRange(
      Float64Array.from([0, 1, 2, 3], (i) => fromMs + i * 60_000),
      [fromMs, fromMs + 180_000]
    );
  const plotProps = (fromMs: number, values: number[], height: number) =>
    ({
      theme,
      x: xFrom(fromMs),
      lines: line(values),
      width: 400,
      height,
      timeZone: 'utc',
      formatValue: String,
      formatKey: '',
      cursorSyncKey: 'test',
    }) as const;

  // UPlotChart (Grafana 12.3-13.1) applies a new size and skips the data that come with it (a notice above the plot
  // goes away as a new result arrives): the plot must still draw the new data.
  it('draws the new data, not the previous data at the new size', async () => {
    const first = 1_735_689_600_000;
    const { rerender } = render(React.createElement(AnomalyPlot, plotProps(first, [1, 2, 3, 4], 200)));
    await waitFor(() => expect(plots()[0]?.root.getAttribute(DRAWN_FROM_ATTRIBUTE)).toBe(String(first)));
    const { root, canvas } = plots()[0];
    const drawsBefore = canvasClears.get(canvas) ?? 0;

    const next = first + 3_600_000;
    rerender(React.createElement(AnomalyPlot, plotProps(next, [5, 6, 7, 8], 160)));
    // The next complete drawing after the update is of the new range.
    await waitFor(() => {
      expect(canvasClears.get(canvas) ?? 0).toBeGreaterThan(drawsBefore);
      expect(root.getAttribute(DRAWN_FROM_ATTRIBUTE)).not.toBeNull();
    });
    expect(root.getAttribute(DRAWN_FROM_ATTRIBUTE)).toBe(String(next));
    expect(plots()).toHaveLength(1);
  });
});
