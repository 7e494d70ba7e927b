import React from 'react';
import { render, waitFor } from '@testing-library/react';
import { createTheme } from '@grafana/data';
import type { UPlotConfigBuilder } from '@grafana/ui';
import { columnWidth, firstColumn, slotTimes } from '../../pipeline/decimate';
import { canvasClears, installPlotStubs, plots } from '../../testing/jsdomPlot';
import { DRAWN_FROM_ATTRIBUTE } from '../../testIds';
import type uPlot from 'uplot';
import { AxisWidthGroups } from '../../render/axisWidthGroup';
import { paddedYRange } from '../../render/yExtent';
import { AnomalyPlot, type PlotAxis, type PlotLine, visibleRangeOf, withVisibleRange } from '../AnomalyPlot';

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
      axes: [{ formatValue: String, formatKey: '' }] as PlotAxis[],
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

describe('a plot of series in several units', () => {
  beforeAll(installPlotStubs);
  const theme = createTheme();
  const x = withVisibleRange(
    Float64Array.from([0, 1, 2, 3], (i) => 1_735_689_600_000 + i * 60_000),
    [1_735_689_600_000, 1_735_689_600_000 + 180_000]
  );
  const percent: PlotAxis = { formatValue: (v) => `${v}%`, formatKey: 'percent' };
  const bytes: PlotAxis = { formatValue: (v) => `${v} B`, formatKey: 'bytes' };
  // The uPlot instances built (a hook added to each config as the plot renders its children, before it builds).
  const built: uPlot[] = [];
  const hooked = new WeakSet<UPlotConfigBuilder>();
  const capture = (config: UPlotConfigBuilder) => {
    if (!hooked.has(config)) {
      hooked.add(config);
      config.addHook('init', (u) => void built.push(u));
    }
    return null;
  };
  const tickLabels = (u: uPlot, k: number, splits: number[]) =>
    (u.axes[k].values as (u: uPlot, splits: number[], k: number, space: number, incr: number) => string[])(
      u,
      splits,
      k,
      0,
      0
    );
  const lines: PlotLine[] = [
    { label: 'cpu', color: '#73bf69', values: Float64Array.of(20, 40, 30, 50), spanMs: Infinity, axis: 0 },
    { label: 'memory', color: '#f2cc0c', values: Float64Array.of(1e9, 3e9, 2e9, NaN), spanMs: Infinity, axis: 1 },
    { label: 'cpu 2', color: '#8ab8ff', values: Float64Array.of(NaN, 10, 60, 20), spanMs: Infinity, axis: 0 },
  ];

  it('gives each axis its own scale, fitted to its own series, the first on the left and the others on the right', async () => {
    const before = built.length;
    const groups = new AxisWidthGroups<uPlot>(() => undefined);
    render(
      // eslint-disable-next-line react/no-children-prop -- a render prop, which createElement's children are not
      React.createElement(AnomalyPlot, {
        children: capture,
        theme,
        x,
        lines,
        width: 400,
        height: 200,
        timeZone: 'utc',
        axes: [percent, bytes],
        cursorSyncKey: 'units',
        axisWidths: groups,
      })
    );
    await waitFor(() => expect(built).toHaveLength(before + 1));
    const u = built[before];
    expect(u.series.slice(1).map((s) => s.scale)).toEqual(['y', 'y2', 'y']);
    // Each scale as paddedYRange makes it of its own series' finite values.
    expect([u.scales.y.min, u.scales.y.max]).toEqual(paddedYRange([10, 60]));
    expect([u.scales.y2.min, u.scales.y2.max]).toEqual(paddedYRange([1e9, 3e9]));
    // uPlot's sides: 3 left, 1 right (the x axis at the bottom, 2).
    expect(u.axes.map((a) => a.side)).toEqual([2, 3, 1]);
    expect(tickLabels(u, 1, [50])).toEqual(['50%']);
    expect(tickLabels(u, 2, [2e9])).toEqual(['2000000000 B']);
  });

  it('a plot stacked under it holds a blank right axis as wide as its right axis', async () => {
    const before = built.length;
    const groups = new AxisWidthGroups<uPlot>(() => undefined);
    const common = {
      children: capture,
      theme,
      x,
      width: 400,
      height: 200,
      timeZone: 'utc',
      cursorSyncKey: 'stacked',
      axisWidths: groups,
    };
    render(React.createElement(AnomalyPlot, { ...common, lines, axes: [percent, bytes] }));
    render(
      React.createElement(AnomalyPlot, {
        ...common,
        lines: [{ label: 'score', color: '#f00', values: Float64Array.of(0.1, 0.2, 0.9, 0.3), spanMs: Infinity }],
        axes: [{ formatValue: String, formatKey: 'score', range: { min: 0, max: 1 } }],
        blankRightAxes: 1,
      })
    );
    await waitFor(() => expect(built).toHaveLength(before + 2));
    const [chart, pane] = built.slice(before);
    expect(pane.axes.map((a) => a.side)).toEqual([2, 3, 1]);
    expect(tickLabels(pane, 2, [0.5])).toEqual(['']);
    // Both right axes take the wider one's size (the chart's labels need room, the blank one none).
    const size = (u: uPlot, k: number) => u.axes[k].size as (u: uPlot, v: string[], k: number, c: number) => number;
    const chartNeeds = size(chart, 2)(chart, ['2000000000 B'], 2, 0);
    expect(size(pane, 2)(pane, [''], 2, 0)).toBe(chartNeeds);
    expect(groups.at(1).widthFor(pane, 0)).toBe(chartNeeds);
  });
});
