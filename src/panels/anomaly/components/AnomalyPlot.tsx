import React, { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { GrafanaTheme2 } from '@grafana/data';
import {
  AxisPlacement,
  GraphDrawStyle,
  GraphGradientMode,
  ScaleDirection,
  ScaleOrientation,
  type TimeZone,
  VisibilityMode,
} from '@grafana/schema';
import { measureText, UPlotChart, UPlotConfigBuilder } from '@grafana/ui';
import type uPlot from 'uplot';
import { ProgressiveLinesPlugin } from './ProgressiveLinesPlugin';
import type { AxisWidthGroup, AxisWidthGroups } from '../render/axisWidthGroup';
import { finiteExtent, paddedYRange } from '../render/yExtent';

/** One line of a plot: the worker's per-column values (NaN: nothing there), as they arrived (no copy). */
export interface PlotLine {
  label: string;
  /** What tells the line apart when labels repeat (a displayName set on several fields) [label]. */
  key?: string;
  color: string;
  values: Float64Array;
  /** Connect points closer than this many ms across empty columns. */
  spanMs: number;
  /** Index of the line's y axis in the plot's `axes` [0]. */
  axis?: number;
}

/** A y axis: the first of a plot's is on the left, the others on the right (Grafana's automatic placement). */
export interface PlotAxis {
  /** The tick labels, and what they depend on (unit, decimals): a new key builds the plot anew. */
  formatValue: (value: number, decimals?: number) => string;
  formatKey: string;
  /** The axis' fixed ends, either or both (a field's Min and Max; the score pane's [0, 1]); else fitted to its lines. */
  range?: { min?: number; max?: number };
}

interface Props {
  theme: GrafanaTheme2;
  /** The slots' times (2 per pixel column), with their visible range (see withVisibleRange). */
  x: Float64Array;
  lines: PlotLine[];
  width: number;
  height: number;
  timeZone: TimeZone;
  /** The y axes, at least one (see PlotAxis); each line names its own (PlotLine.axis). */
  axes: PlotAxis[];
  /**
   * Right-hand axes without labels, as many as a plot stacked with this one has: their space keeps this plot's
   * plotting area as wide as the other's (with `axisWidths`), so that a time is at the same x in both.
   */
  blankRightAxes?: number;
  /** Per line: the anomaly marks (NaN: none) and their colour. */
  marks?: Float64Array[];
  markColor?: string;
  /** Per line: shaded regions [start0, end0, ...] (epoch ms), in `regionColor` or the line's colour. */
  regions?: Float64Array[];
  regionColor?: string;
  /** Per line: a horizontal line (a threshold) drawn in `markColor`; NaN: none. */
  levels?: number[];
  /** Lines hidden by the legend. */
  hidden?: ReadonlySet<number>;
  /**
   * Plots with the same key move their cursors together (uPlot's cursor sync on the x scale): the panel's own plots,
   * and with the dashboard's shared crosshair or tooltip every time-series plot of the dashboard.
   */
  cursorSyncKey: string;
  /** Plots stacked with this one: their y axes take one width per place, so that a time is at the same x in all. */
  axisWidths?: AxisWidthGroups<uPlot>;
  children?: (config: UPlotConfigBuilder) => React.ReactNode;
}

/** The visible range of each x array given to a plot (see withVisibleRange). */
const visibleRanges = new WeakMap<ArrayLike<number>, [number, number]>();

/**
 * `x` (slot times) with the visible range [from, to] (epoch ms) the plot's x axis shows: the grid's columns are
 * anchored to fixed times (see decimate.ts), so its first and last columns reach past the range and their slots do
 * not tell it. Returns `x`.
 */
export function withVisibleRange(x: Float64Array, range: [number, number]): Float64Array {
  visibleRanges.set(x, range);
  return x;
}

/** The visible range given to `x` by withVisibleRange, else its first and last slots ([0, 1] without slots). */
export function visibleRangeOf(x: ArrayLike<number>): [number, number] {
  return visibleRanges.get(x) ?? (x.length > 0 ? [x[0], x[x.length - 1]] : [0, 1]);
}

/**
 * A time series plot straight on uPlot (Grafana's UPlotChart and config builder, so axes, theme, cursor and tooltip
 * are Grafana's), without Grafana's per-build frame processing: the worker's typed arrays are uPlot's data as they
 * arrived, and the lines are drawn a few per task (ProgressiveLinesPlugin). The uPlot instance is built once per
 * set of lines (labels, colours, time zone); new data of the same lines (a refresh) only redraws it.
 */
export function AnomalyPlot(props: Props) {
  const { theme, x, lines, width, height, timeZone, axes, blankRightAxes = 0, children } = props;
  const identity = lines.map((l) => `${l.label}\u0000${l.color}\u0000${l.axis ?? 0}`).join('\u0001');
  const axesIdentity = JSON.stringify(axes.map((a) => [a.formatKey, a.range?.min, a.range?.max]));
  const config = useMemo(
    () => buildConfig(theme, timeZone, lines, axes, blankRightAxes, props.cursorSyncKey, props.axisWidths),
    // `identity` and `axesIdentity` stand for what the config reads of the lines and the axes: a refresh with new
    // data of the same lines keeps the plot (uPlot only redraws).
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [theme, timeZone, identity, axesIdentity, blankRightAxes, props.cursorSyncKey, props.axisWidths]
  );
  const [plot, setPlot] = useState<uPlot | undefined>(undefined);
  // The instance at once (the state above comes a render later), for the data hand-over below.
  const plotInstance = useRef<uPlot | undefined>(undefined);
  const onPlot = useCallback((u: uPlot) => {
    plotInstance.current = u;
    setPlot(u);
  }, []);
  const hidden = props.hidden;
  useEffect(() => {
    if (!plot) {
      return;
    }
    // One redraw for all the legend's changes, and none without a change: a redraw starts the lines' drawing over.
    const changed: number[] = [];
    for (let i = 1; i < plot.series.length; i++) {
      if (plot.series[i].show !== !hidden?.has(i - 1)) {
        changed.push(i);
      }
    }
    if (changed.length > 0) {
      plot.batch(() => changed.forEach((i) => plot.setSeries(i, { show: !hidden?.has(i - 1) })));
    }
    // What the plot draws, as it holds it (see testIds.panel.chart).
    const shown = lines.filter((_, i) => plot.series[i + 1]?.show);
    plot.root.setAttribute('data-shown-series', JSON.stringify(shown.map((l) => l.label)));
    // `lines` is read for its labels only, which `config` stands for (a refresh keeps both).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [plot, hidden, config]);
  const data = useMemo(() => [x, ...lines.map((l) => l.values)] as unknown as uPlot.AlignedData, [x, lines]);
  const spans = useMemo(() => [0, ...lines.map((l) => l.spanMs)], [lines]);
  useLayoutEffect(() => {
    // UPlotChart (Grafana 12.3-13.1) applies a new size and skips the data that come in the same update (a notice
    // above the plot goes as a new result arrives), which would leave the previous lines drawn. This runs after its
    // update, before paint: both changes go into one uPlot redraw. A plot destroyed (root detached) is left alone.
    const u = plotInstance.current;
    if (u && u.data !== data && u.root.isConnected) {
      u.setData(data);
    }
  }, [data, width, height]);
  const withTime = <T,>(perLine: T[] | undefined, none: T) => (perLine ? [none, ...perLine] : undefined);
  const marks = useMemo(() => withTime(props.marks, new Float64Array(0)), [props.marks]);
  const regions = useMemo(() => withTime(props.regions, new Float64Array(0)), [props.regions]);
  const levels = useMemo(() => withTime(props.levels, NaN), [props.levels]);
  return (
    // Keyed by the config: UPlotChart applies a new size but ignores a new config that comes with it.
    <UPlotChart key={config.uid} config={config} data={data} width={width} height={height} plotRef={onPlot}>
      <ProgressiveLinesPlugin
        config={config}
        spanMs={spans}
        marks={marks}
        markColor={props.markColor}
        regions={regions}
        regionColor={props.regionColor}
        levels={levels}
      />
      {children?.(config)}
    </UPlotChart>
  );
}

function buildConfig(
  theme: GrafanaTheme2,
  timeZone: TimeZone,
  lines: PlotLine[],
  axes: PlotAxis[],
  blankRightAxes: number,
  cursorSyncKey: string,
  axisWidths: AxisWidthGroups<uPlot> | undefined
): UPlotConfigBuilder {
  const builder = new UPlotConfigBuilder(timeZone);
  // As TooltipPlugin2 sets it for a dashboard's shared cursor: matched by x value, whatever the y scales.
  builder.setCursor({ sync: { key: cursorSyncKey, scales: ['x', null] } });
  builder.addScale({
    scaleKey: 'x',
    orientation: ScaleOrientation.Horizontal,
    direction: ScaleDirection.Right,
    isTime: true,
    // The x data's visible range: read whenever uPlot takes new data (a refresh keeps the plot and its config).
    range: (u) => visibleRangeOf(u.data[0]),
  });
  builder.addAxis({ scaleKey: 'x', isTime: true, placement: AxisPlacement.Bottom, timeZone, theme });
  const scaleKeys = axes.map((_, k) => yScaleKey(k));
  axes.forEach((axis, k) => {
    const { range } = axis;
    const scaleKey = scaleKeys[k];
    const fixed = range?.min !== undefined && range?.max !== undefined;
    builder.addScale({
      scaleKey,
      orientation: ScaleOrientation.Vertical,
      direction: ScaleDirection.Up,
      min: range?.min,
      max: range?.max,
      // Not uPlot's range of the data: a NaN slot (a pixel column without a point) made it NaN (yExtent.ts).
      range: fixed ? undefined : (u) => paddedYRange(finiteExtent(linesOnScale(u, scaleKey)), range),
    });
    builder.addAxis({
      scaleKey,
      // The first on the left, the others on the right, as Grafana places a time series panel's axes.
      placement: k === 0 ? AxisPlacement.Left : AxisPlacement.Right,
      theme,
      // One grid: the first axis'.
      grid: { show: k === 0 },
      formatValue: (value, decimals) => axis.formatValue(value, decimals ?? undefined),
      size: axisWidths && sharedAxisSize(axisWidths.at(k)),
    });
  });
  for (let k = 1; k <= blankRightAxes; k++) {
    // A scale of its own (Grafana's builder keeps one axis per scale), fixed, with no series and no labels.
    const scaleKey = `blank${k}`;
    builder.addScale({
      scaleKey,
      orientation: ScaleOrientation.Vertical,
      direction: ScaleDirection.Up,
      min: 0,
      max: 1,
    });
    builder.addAxis({
      scaleKey,
      placement: AxisPlacement.Right,
      theme,
      grid: { show: false },
      ticks: { show: false },
      formatValue: () => '',
      size: axisWidths && sharedAxisSize(axisWidths.at(axes.length - 1 + k)),
    });
  }
  if (axisWidths) {
    builder.addHook('destroy', (u) => axisWidths.leave(u));
  }
  for (const line of lines) {
    builder.addSeries({
      scaleKey: scaleKeys[line.axis ?? 0],
      theme,
      drawStyle: GraphDrawStyle.Line,
      gradientMode: GraphGradientMode.None,
      lineColor: line.color,
      lineWidth: 1,
      showPoints: VisibilityMode.Never,
      spanNulls: true,
      // The plugin draws the lines: uPlot builds no paths.
      pathBuilder: () => null,
    });
  }
  builder.scaleKeys = ['x', 'y'];
  return builder;
}

/** The y scale of a plot's axis k: 'y', then 'y2', 'y3'... */
function yScaleKey(k: number): string {
  return k === 0 ? 'y' : `y${k + 1}`;
}

/** The data of the plot's series on `scaleKey`. */
function linesOnScale(u: uPlot, scaleKey: string): Array<uPlot.AlignedData[number]> {
  return u.data.filter((_, i) => i > 0 && u.series[i]?.scale === scaleKey);
}

/** Grafana's y axis tick label font size (UPlotAxisBuilder's UPLOT_AXIS_FONT_SIZE, not exported). */
const AXIS_FONT_SIZE = 12;

/**
 * A y axis size that takes the group's width. What its own labels need is Grafana's calculateAxisSize for a side
 * axis (UPlotAxisBuilder.ts): tick, gap and the widest label, at most 40 % of the plot. Grafana's builder hands
 * `size` to uPlot as it is (12.3 to 13), and uPlot takes a function as well as a number.
 */
function sharedAxisSize(group: AxisWidthGroup<uPlot>): number {
  const size: uPlot.Axis.Size = (u, values, axisIdx) => {
    const axis = u.axes[axisIdx];
    let needed = axis.ticks?.size ?? 0;
    if (values?.length) {
      let widest = 0;
      for (const value of values) {
        widest = Math.max(widest, measureText(String(value), AXIS_FONT_SIZE).width);
      }
      needed += (axis.gap ?? 0) + (axis.labelGap ?? 0) + Math.min(u.width * 0.4, widest);
    }
    return group.widthFor(u, Math.ceil(needed));
  };
  return size as unknown as number;
}
