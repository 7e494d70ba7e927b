import React, { memo, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { css } from '@emotion/css';
import { type AbsoluteTimeRange, type DataFrame, type Field, FieldType, getFieldSeriesColor } from '@grafana/data';
import { DashboardCursorSync, LegendDisplayMode, type TimeZone } from '@grafana/schema';
import {
  EventBusPlugin,
  PanelContextProvider,
  type SeriesVisibilityChangeMode,
  TooltipPlugin2,
  type UPlotConfigBuilder,
  VizLegend,
  type VizLegendItem,
  usePanelContext,
  useTheme2,
} from '@grafana/ui';
import type uPlot from 'uplot';
import { EXPLAIN_TOP, type ModelAnalysis } from '../analysis/analysePanel';
import { columnBounds, loneTimeIn, type PixelGrid, slotTimes } from '../pipeline/decimate';
import { type DrawnRef, drawnSeries, scoreAxis, spanOf } from '../render/chartFrames';
import { AxisWidthGroups } from '../render/axisWidthGroup';
import { tooltipSlot } from '../render/tooltipSlot';
import { type HiddenFrom, NOTHING_HIDDEN, visibilityName } from '../render/seriesVisibility';
import { yAxes } from '../render/yAxes';
import { testIds } from '../testIds';
import type { Scorer } from '../worker/scorer';
import { AnomalyPlot, type PlotAxis, type PlotLine, withVisibleRange } from './AnomalyPlot';
import { AnomalyTooltip, formatWith } from './AnomalyTooltip';

interface Props {
  frames: DataFrame[];
  analyses: ModelAnalysis[];
  grid: PixelGrid;
  scorer: Scorer;
  width: number;
  height: number;
  timeZone: TimeZone;
  showScorePane: boolean;
  showRegions: boolean;
  /** Series hidden in the legend, by name: the panel holds them (its header counts what is shown). */
  hiddenSeries: ReadonlySet<string>;
  /** Series left out of the legend and of the tooltip only, by name (their fields' "Hide in area") [none]. */
  hiddenFrom?: HiddenFrom;
  onHiddenSeriesChange: React.Dispatch<React.SetStateAction<ReadonlySet<string>>>;
  /**
   * The dashboard's (PanelContext): VizLegend hands a legend click to it (by the item's fieldName), and it comes back
   * as the fields' hideFrom; without it, the panel hides series itself [none].
   */
  onToggleSeriesVisibility?: (label: string, mode: SeriesVisibilityChangeMode) => void;
  /** A range selected by dragging across either plot: the dashboard's new time range (PanelProps.onChangeTimeRange). */
  onZoom: (range: AbsoluteTimeRange) => void;
}

/** TooltipPlugin2's "all series at the hovered x" mode (a const enum in @grafana/ui, so spelled as its value). */
const HOVER_ALL_SERIES = 1 as Parameters<typeof TooltipPlugin2>[0]['hoverMode'];
const SCORE_PANE_SHARE = 0.28;
/** The score pane is never lower than this (an axis with a few ticks); below it, the pane is left out. */
export const MIN_SCORE_PANE_HEIGHT = 80;
/**
 * Height the series chart keeps at least when the score pane is shown, its legend and time axis included: at 100 the
 * series' plot of a 200 px panel was 45 px under a score plot of 51 (a browser review). Below, the pane is left out.
 */
const MIN_MAIN_HEIGHT = 150;

/** The score pane's height: a share of the chart, at least MIN_SCORE_PANE_HEIGHT, or 0 when there is no room. */
export function scorePaneHeight(height: number, show: boolean): number {
  if (!show || height < MIN_SCORE_PANE_HEIGHT + MIN_MAIN_HEIGHT) {
    return 0;
  }
  return Math.max(MIN_SCORE_PANE_HEIGHT, Math.round(height * SCORE_PANE_SHARE));
}

/**
 * `value`, one task late (`initial` until then): splits the charts' builds and first draws into tasks of their own
 * instead of one long one. When `sameBuild(shown, value)` says the value shown and the new one build the same thing
 * (a refresh: the same lines, new data), there is nothing to build and the new value is taken at once.
 */
export function useInLaterTask<T>(value: T, initial: T, sameBuild: (shown: T, value: T) => boolean = () => false): T {
  const [shown, setShown] = useState(initial);
  const now = shown !== initial && shown !== value && sameBuild(shown, value);
  if (now) {
    // During the render (React renders again at once, before committing): no task, no effect in between.
    setShown(value);
  }
  useEffect(() => {
    if (shown === value) {
      return undefined;
    }
    const timer = setTimeout(() => setShown(value), 0);
    return () => clearTimeout(timer);
  }, [value, shown]);
  return now ? value : shown;
}

/**
 * Whether two results build the same score pane: the same models' lines on the same axis (its range is part of the
 * plot's config, so another one builds the plot again), so that the newer one is only new data for it.
 */
function sameModels(a: { analyses: ModelAnalysis[] }, b: { analyses: ModelAnalysis[] }): boolean {
  const axisA = scoreAxis(a.analyses);
  const axisB = scoreAxis(b.analyses);
  return (
    a.analyses.length === b.analyses.length &&
    a.analyses.every((m, i) => m.model.key === b.analyses[i].model.key && !m.outcome === !b.analyses[i].outcome) &&
    axisA.min === axisB.min &&
    axisA.max === axisB.max
  );
}

/** Whether two sets of lines have the same labels (the legend keeps its items' identities). */
function sameLabels(a: PlotLine[], b: PlotLine[]): boolean {
  return a.length === b.length && a.every((l, i) => l.label === b[i].label && l.key === b[i].key);
}

/** A line's legend key: its series' identity, unique even where display names repeat. */
const keyOf = (line: PlotLine) => line.key ?? line.label;

const NO_ANALYSES: ModelAnalysis[] = [];
const NO_RESULT: { analyses: ModelAnalysis[]; grid?: PixelGrid; frames?: DataFrame[] } = { analyses: NO_ANALYSES };
const NO_LINES: PlotLine[] = [];

/** Height of a legend row (VizLegend's list items). */
const LEGEND_ROW_HEIGHT = 22;
/** The legend takes at most this share of the main chart's height (it scrolls beyond). */
const LEGEND_MAX_SHARE = 0.35;

/** Space between the legend's left-axis and right-axis sections when they take a row each (VizLegendList's gap). */
const LEGEND_SECTION_GAP = 15;

/**
 * The legend's height, estimated from its labels' lengths (a list wrapping at the panel's width), so that the chart's
 * height is known before the legend is rendered (it comes a task later) and the plot is not resized when it does.
 * Grafana's legend lists the right axis' series in a section of their own, at least half the width: when it does not
 * fit beside the left section it takes rows of its own (a browser review: a second unit's series was below the
 * legend's box, seen only by scrolling it).
 */
export function legendHeight(labels: string[], width: number, chartHeight: number, rightLabels: string[] = []): number {
  if (labels.length === 0 && rightLabels.length === 0) {
    return 0;
  }
  const left = legendRows(labels, width);
  const right = legendRows(rightLabels, width);
  const oneRow =
    left.rows <= 1 &&
    right.rows <= 1 &&
    (right.rows === 0 || left.used + 25 + Math.max(right.used, width / 2) <= width);
  const needed = oneRow
    ? LEGEND_ROW_HEIGHT + 4
    : (left.rows + right.rows) * LEGEND_ROW_HEIGHT + (left.rows > 0 && right.rows > 0 ? LEGEND_SECTION_GAP : 0) + 4;
  return Math.min(needed, Math.max(LEGEND_ROW_HEIGHT, Math.floor(chartHeight * LEGEND_MAX_SHARE)));
}

/** The rows a legend section's labels wrap to at `width`, and the width of its last row. */
function legendRows(labels: string[], width: number): { rows: number; used: number } {
  let rows = labels.length > 0 ? 1 : 0;
  let used = 0;
  for (const label of labels) {
    const item = 40 + 7 * label.length;
    if (used > 0 && used + item > width) {
      rows++;
      used = 0;
    }
    used += item;
  }
  return { rows, used };
}

/** The plot's x data for a grid: its slot times, with the grid's visible range (see withVisibleRange). */
function plotTimes(grid: PixelGrid): Float64Array {
  return withVisibleRange(slotTimes(grid), [grid.fromMs, grid.toMs]);
}

/** The source field of a drawn series (unit, decimals, colour, display name). */
function sourceField(frames: DataFrame[], d: DrawnRef): Field {
  return frames[d.ref.frameIndex].fields[d.ref.fieldIndex];
}

/** The times of a drawn series' frame (its time field's values; none without one). */
function timesOf(frames: DataFrame[], d: DrawnRef): ArrayLike<number> {
  return (frames[d.ref.frameIndex].fields.find((field) => field.type === FieldType.time)?.values ?? []) as number[];
}

/**
 * The series (Grafana's theme, axes, cursor, tooltip and legend, on uPlot directly: see AnomalyPlot) with anomalies
 * as points and shaded runs, and the score pane. Memoised: the panel's progress updates do not rebuild the charts.
 * The chart is built in one task, the score pane in the next, the legend in the one after.
 */
export const AnomalyChart = memo(function AnomalyChart(props: Props) {
  const { frames, analyses, grid, scorer, width, height, timeZone, showScorePane, showRegions, onZoom } = props;
  const theme = useTheme2();
  // The dashboard's shared crosshair or tooltip (its graph tooltip setting), as Grafana's time series panel reads it.
  const panelContext = usePanelContext();
  const { sync, eventsScope, eventBus } = panelContext;
  const cursorSync = sync?.() ?? DashboardCursorSync.Off;
  // Without it, the series chart and the score pane still share their cursor.
  const ownSyncKey = `telemetry-anomaly-panel-${useId()}`;
  const cursorSyncKey = cursorSync === DashboardCursorSync.Off ? ownSyncKey : eventsScope;
  const s = useMemo(() => getStyles(), []);
  // The chart's and the score pane's y axes take one width: a time is at the same x in both.
  const axisWidths = useMemo(() => new AxisWidthGroups<uPlot>((u) => u.redraw(false, true)), []);
  const anomalyColor = theme.visualization.getColorByName('red');
  const drawn = useMemo(() => drawnSeries(analyses), [analyses]);
  const x = useMemo(() => plotTimes(grid), [grid]);
  // The series' y axes: one per unit (and Min and Max), the first on the left, the others on the right.
  const { axes: axisGroups, axisOf } = useMemo(
    () => yAxes(drawn.map((d) => sourceField(frames, d).config)),
    [frames, drawn]
  );
  const mainAxes: PlotAxis[] = useMemo(
    () =>
      axisGroups.map(({ source, range }, k) => {
        const field = sourceField(frames, drawn[axisOf.indexOf(k)]);
        return {
          formatValue: (v: number) => formatWith(field.display, v),
          formatKey: JSON.stringify([source.unit, source.decimals]),
          range,
        };
      }),
    [frames, drawn, axisGroups, axisOf]
  );
  const mainLines: PlotLine[] = useMemo(
    () =>
      drawn.map((d, i) => {
        const field = sourceField(frames, d);
        return {
          label: field.config.displayName ?? d.ref.name,
          key: d.ref.name,
          color: getFieldSeriesColor(field, theme).color,
          values: d.drawn.line,
          spanMs: spanOf(d.drawn.stepMs, grid),
          axis: axisOf[i],
        };
      }),
    [frames, drawn, grid, theme, axisOf]
  );
  const mainMarks = useMemo(() => drawn.map((d) => d.drawn.marks), [drawn]);
  const drawnSpans = useMemo(() => mainLines.map((l) => l.spanMs), [mainLines]);
  const mainRegions = useMemo(() => drawn.map((d) => d.drawn.regions), [drawn]);
  // Read by tests (testIds.panel.region); made once per result, not on each of the chart's renders (three or more).
  const regionAttributes = useMemo(
    () => (showRegions ? drawn.map((d) => Array.from(d.drawn.regions).join(',')) : []),
    [drawn, showRegions]
  );
  // Legend: series hidden by key (their names).
  const { hiddenSeries: hiddenKeys, onHiddenSeriesChange: setHiddenKeys } = props;
  const hidden = useMemo(
    () => new Set(mainLines.flatMap((l, i) => (hiddenKeys.has(keyOf(l)) ? [i] : []))),
    [mainLines, hiddenKeys]
  );

  // The score pane is built and drawn one task after the series chart, the legend one task after that. The pane's
  // times come with its scores: new times with the previous scores would be drawn (shifted) and at once drawn again.
  const result = useMemo(() => ({ analyses, grid, frames }), [analyses, grid, frames]);
  const later = useInLaterTask(result, NO_RESULT, sameModels);
  const laterAnalyses = later.analyses;
  const scoreGrid = later.grid ?? grid;
  // The frames of the pane's own result: its series' indices refer to them, not to newer frames (a query that
  // returned fewer series made them point past the end until the pane caught up: a TypeError).
  const scoreFrames = later.frames ?? frames;
  const scoreX = useMemo(() => (scoreGrid === grid ? x : plotTimes(scoreGrid)), [scoreGrid, grid, x]);
  const scored = useMemo(() => laterAnalyses.filter((a) => a.outcome), [laterAnalyses]);
  const scoreLines: PlotLine[] = useMemo(
    () =>
      scored.map((a) => {
        const outcome = a.outcome!;
        const first = a.model.series[0];
        return {
          label: a.model.series.length === 1 ? `${first.name} · score` : `${a.model.label} · score`,
          // The colour of its series in the chart and the legend (of its first series for a multivariate model); by
          // the model's place among the scored ones, a series whose model failed shifted every colour after it.
          color: getFieldSeriesColor(scoreFrames[first.frameIndex].fields[first.fieldIndex], theme).color,
          values: outcome.scores,
          spanMs: spanOf(Math.max(...outcome.series.map((d) => d.stepMs)), scoreGrid),
        };
      }),
    [scored, scoreGrid, theme, scoreFrames]
  );
  // A model's score line is hidden with its series (every one of them, for a multivariate model).
  const scoreHidden = useMemo(
    () => new Set(scored.flatMap((a, i) => (a.model.series.every((s) => hiddenKeys.has(s.name)) ? [i] : []))),
    [scored, hiddenKeys]
  );
  const scoreAxes: PlotAxis[] = useMemo(
    () => [{ formatValue: formatScore, formatKey: 'score', range: scoreAxis(scored) }],
    [scored]
  );
  const thresholds = useMemo(() => scored.map((a) => a.outcome!.threshold), [scored]);
  const legendLines = useInLaterTask(mainLines, NO_LINES, sameLabels);

  const scoreSlots = useMemo(
    () => new Map(analyses.filter((a) => a.outcome).map((a) => [a.model.key, a.outcome!.scores])),
    [analyses]
  );
  const explain = useCallback((d: DrawnRef, time: number) => scorer.explain(d.model.key, time, EXPLAIN_TOP), [scorer]);
  const scoreHeight = analyses.some((a) => a.outcome) ? scorePaneHeight(height, showScorePane) : 0;
  const mainHeight = height - scoreHeight;
  const hiddenFrom = props.hiddenFrom ?? NOTHING_HIDDEN;
  const inLegend = mainLines.filter((l) => !hiddenFrom.legend.has(keyOf(l)));
  const legendSpace = legendHeight(
    inLegend.filter((l) => (l.axis ?? 0) === 0).map((l) => l.label),
    width,
    mainHeight,
    inLegend.filter((l) => (l.axis ?? 0) !== 0).map((l) => l.label)
  );
  const visibilityNames = useMemo(
    () => new Map(drawn.map((d) => [d.ref.name, visibilityName(frames, d.ref)])),
    [frames, drawn]
  );
  const legendItems: VizLegendItem[] = useMemo(
    () =>
      legendLines
        .filter((l) => !hiddenFrom.legend.has(keyOf(l)))
        .map((l) => ({
          label: l.label,
          // What a dashboard's hide-series override matches the series by (VizLegend hands it to the dashboard).
          fieldName: visibilityNames.get(keyOf(l)),
          color: l.color,
          // Grafana's legend lists a right axis' series apart, on the right.
          yAxis: (l.axis ?? 0) === 0 ? 1 : 2,
          disabled: hiddenKeys.has(keyOf(l)),
          getItemKey: () => keyOf(l),
        })),
    [legendLines, hiddenKeys, visibilityNames, hiddenFrom]
  );
  const { onToggleSeriesVisibility } = props;
  const legendContext = useMemo(
    () => ({ ...panelContext, onToggleSeriesVisibility }),
    [panelContext, onToggleSeriesVisibility]
  );
  const onLegendClick = useCallback(
    (item: VizLegendItem, event: React.MouseEvent<HTMLButtonElement>) => {
      const all = mainLines.map(keyOf);
      const clicked = item.getItemKey?.() ?? item.label;
      if (onToggleSeriesVisibility) {
        return; // VizLegend itself hands the click to the dashboard (with the item's fieldName)
      }
      setHiddenKeys((previous) => {
        if (event.ctrlKey || event.metaKey || event.shiftKey) {
          const next = new Set(previous);
          if (next.has(clicked)) {
            next.delete(clicked);
          } else {
            next.add(clicked);
          }
          return next;
        }
        // Grafana's legend: a click shows only that series; a click on the only one shown shows them all again.
        const onlyThis = all.every((key) => (key === clicked) !== previous.has(key));
        return onlyThis ? new Set() : new Set(all.filter((key) => key !== clicked));
      });
    },
    [mainLines, setHiddenKeys, onToggleSeriesVisibility]
  );

  // Both plots: hover over all series at an x, drag to zoom the dashboard, the dashboard's cursor sync.
  const plotInteraction = {
    hoverMode: HOVER_ALL_SERIES,
    queryZoom: onZoom,
    syncMode: cursorSync,
    syncScope: eventsScope,
  };
  // Within the panel, however narrow (a 150 px panel had a 160 px tooltip).
  const tooltipWidth = Math.min(360, Math.max(100, width - 16));
  const tooltip = (config: UPlotConfigBuilder) => (
    <TooltipPlugin2
      config={config}
      {...plotInteraction}
      maxWidth={tooltipWidth}
      render={(u, dataIdxs) => {
        const hovered = dataIdxs.find((i) => i !== null);
        if (hovered === undefined || hovered === null) {
          return null;
        }
        // The series shown: one hidden in the legend or from the tooltip is left out, as Grafana's tooltip does.
        const inTooltip = (i: number) => !hidden.has(i) && !hiddenFrom.tooltip.has(drawn[i].ref.name);
        const shown = drawn.filter((_, i) => inTooltip(i));
        const idx = tooltipSlot(
          u.data[0],
          shown,
          drawnSpans.filter((_, i) => inTooltip(i)),
          hovered
        );
        const column = columnBounds(grid, idx >> 1);
        return (
          <AnomalyTooltip
            slot={idx}
            column={column}
            loneTime={(d) => loneTimeIn(timesOf(frames, d), column.startMs, column.endMs)}
            timeZone={timeZone}
            drawn={shown}
            scoreOf={(d) => scoreSlots.get(d.model.key)?.[idx]}
            formatValue={(d, v) => formatWith(sourceField(frames, d).display, v)}
            explain={explain}
            maxWidth={tooltipWidth}
          />
        );
      }}
    />
  );

  return (
    <div>
      <div data-testid={testIds.panel.chart} data-hidden-series={hidden.size}>
        <AnomalyPlot
          theme={theme}
          x={x}
          lines={mainLines}
          width={width}
          height={Math.max(0, mainHeight - legendSpace)}
          timeZone={timeZone}
          axes={mainAxes}
          marks={mainMarks}
          markColor={anomalyColor}
          regions={showRegions ? mainRegions : undefined}
          regionColor={drawn.length === 1 ? anomalyColor : undefined}
          hidden={hidden}
          cursorSyncKey={cursorSyncKey}
          axisWidths={axisWidths}
        >
          {(config) => (
            <>
              {tooltip(config)}
              {/* Hover events for the dashboard's panels that are not on uPlot, as Grafana's time series panel. */}
              {cursorSync !== DashboardCursorSync.Off && <EventBusPlugin config={config} eventBus={eventBus} />}
            </>
          )}
        </AnomalyPlot>
        <div className={s.legend} style={{ height: legendSpace }} data-testid={testIds.panel.legend}>
          {/* VizLegend hands a click to the context's onToggleSeriesVisibility itself: the panel's own choice of it. */}
          <PanelContextProvider value={legendContext}>
            <VizLegend
              items={legendItems}
              displayMode={LegendDisplayMode.List}
              placement="bottom"
              onLabelClick={onLegendClick}
            />
          </PanelContextProvider>
        </div>
      </div>
      {showRegions &&
        drawn.map((d, i) => (
          <span
            key={d.ref.id}
            hidden
            data-testid={testIds.panel.region}
            data-series={d.ref.name}
            data-regions={regionAttributes[i]}
          />
        ))}
      {scoreHeight > 0 && (
        <div data-testid={testIds.panel.scorePane} style={{ height: scoreHeight }}>
          {scoreLines.length > 0 && (
            <AnomalyPlot
              theme={theme}
              x={scoreX}
              lines={scoreLines}
              width={width}
              height={scoreHeight}
              timeZone={timeZone}
              axes={scoreAxes}
              blankRightAxes={mainAxes.length - 1}
              hidden={scoreHidden}
              levels={thresholds}
              markColor={anomalyColor}
              cursorSyncKey={cursorSyncKey}
              axisWidths={axisWidths}
            >
              {(config) => (
                // No tooltip of its own (the series chart's shows the scores); dragging across it zooms as well.
                <TooltipPlugin2 config={config} {...plotInteraction} render={() => null} />
              )}
            </AnomalyPlot>
          )}
        </div>
      )}
    </div>
  );
});

function formatScore(value: number): string {
  return value.toFixed(2);
}

const getStyles = () => ({
  legend: css({ overflowY: 'auto', overflowX: 'hidden' }),
});
