import React, { memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { DataFrame, TimeRange } from '@grafana/data';
import { LegendDisplayMode, type TimeZone, type VizLegendOptions } from '@grafana/schema';
import { TimeSeries, TooltipPlugin2, type UPlotConfigBuilder, useTheme2 } from '@grafana/ui';
import { EXPLAIN_TOP, type ModelAnalysis } from '../analysis/analysePanel';
import type { PixelGrid } from '../pipeline/decimate';
import { type DrawnRef, drawnSeries, mainFrame, scoreFrame, spanOf } from '../render/chartFrames';
import { testIds } from '../testIds';
import type { Scorer } from '../worker/scorer';
import { AnomalyTooltip, formatWith } from './AnomalyTooltip';
import { ProgressiveLinesPlugin } from './ProgressiveLinesPlugin';

interface Props {
  frames: DataFrame[];
  analyses: ModelAnalysis[];
  grid: PixelGrid;
  scorer: Scorer;
  width: number;
  height: number;
  timeRange: TimeRange;
  timeZone: TimeZone;
  showScorePane: boolean;
  showRegions: boolean;
}

/** TooltipPlugin2's "all series at the hovered x" mode (a const enum in @grafana/ui, so spelled as its value). */
const HOVER_ALL_SERIES = 1 as Parameters<typeof TooltipPlugin2>[0]['hoverMode'];
const SCORE_PANE_SHARE = 0.28;
/** The score pane is never lower than this (an axis with a few ticks); below it, the pane is left out. */
export const MIN_SCORE_PANE_HEIGHT = 80;
/** Height the series chart keeps at least when the score pane is shown. */
const MIN_MAIN_HEIGHT = 100;

/** The score pane's height: a share of the chart, at least MIN_SCORE_PANE_HEIGHT, or 0 when there is no room. */
export function scorePaneHeight(height: number, show: boolean): number {
  if (!show || height < MIN_SCORE_PANE_HEIGHT + MIN_MAIN_HEIGHT) {
    return 0;
  }
  return Math.max(MIN_SCORE_PANE_HEIGHT, Math.round(height * SCORE_PANE_SHARE));
}

const MAIN_LEGEND: VizLegendOptions = {
  showLegend: true,
  displayMode: LegendDisplayMode.List,
  placement: 'bottom',
  calcs: [],
};
const NO_LEGEND: VizLegendOptions = {
  showLegend: false,
  displayMode: LegendDisplayMode.Hidden,
  placement: 'bottom',
  calcs: [],
};

/**
 * `value`, one task late: the first render shows it at once, later ones keep the previous value until a task after
 * the current one. Splits the two charts' builds and first draws into two tasks instead of one long one.
 */
export function useInLaterTask<T>(value: T): T {
  const [shown, setShown] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setShown(value), 0);
    return () => clearTimeout(timer);
  }, [value]);
  return shown;
}

/**
 * The series with Grafana's TimeSeries (theme, legend, field options), anomalies as points and shaded runs. Memoised:
 * the panel's progress updates do not rebuild the charts.
 */
export const AnomalyChart = memo(function AnomalyChart(props: Props) {
  const { frames, analyses, grid, scorer, width, height, timeRange, timeZone, showScorePane, showRegions } = props;
  const theme = useTheme2();
  const anomalyColor = theme.visualization.getColorByName('red');
  const drawn = useMemo(() => drawnSeries(analyses), [analyses]);
  const main = useMemo(() => [mainFrame(frames, drawn, grid)], [frames, drawn, grid]);
  // The score pane is built and drawn one task after the series chart.
  const laterAnalyses = useInLaterTask(analyses);
  const score = useMemo(
    () => [scoreFrame(laterAnalyses, grid, anomalyColor, theme)],
    [laterAnalyses, grid, anomalyColor, theme]
  );
  const mainRegions = useMemo(() => [new Float64Array(0), ...drawn.map((d) => d.drawn.regions)], [drawn]);
  const scoreSlots = useMemo(
    () => new Map(analyses.filter((a) => a.outcome).map((a) => [a.model.key, a.outcome!.scores])),
    [analyses]
  );
  const explain = useCallback((d: DrawnRef, time: number) => scorer.explain(d.model.key, time, EXPLAIN_TOP), [scorer]);
  // Per uPlot series (index 0 is time): how far lines connect, and the anomaly marks.
  const mainSpans = useMemo(() => [0, ...drawn.map((d) => spanOf(d.drawn.stepMs, grid))], [drawn, grid]);
  const mainMarks = useMemo(() => [new Float64Array(0), ...drawn.map((d) => d.drawn.marks)], [drawn]);
  const scoreSpans = useMemo(
    () => [
      0,
      ...laterAnalyses
        .filter((a) => a.outcome)
        .map((a) => spanOf(Math.max(...a.outcome!.series.map((s) => s.stepMs)), grid)),
    ],
    [laterAnalyses, grid]
  );
  const scoreHeight = analyses.some((a) => a.outcome) ? scorePaneHeight(height, showScorePane) : 0;
  const mainHeight = height - scoreHeight;

  const tooltip = (config: UPlotConfigBuilder) => (
    <TooltipPlugin2
      config={config}
      hoverMode={HOVER_ALL_SERIES}
      maxWidth={Math.max(160, Math.min(360, width - 16))}
      render={(u, dataIdxs) => {
        const idx = dataIdxs.find((i) => i !== null);
        if (idx === undefined || idx === null) {
          return null;
        }
        return (
          <AnomalyTooltip
            slot={idx}
            time={u.data[0][idx]}
            timeZone={timeZone}
            drawn={drawn}
            scoreOf={(d) => scoreSlots.get(d.model.key)?.[idx]}
            formatValue={(d, v) => formatWith(frames[d.ref.frameIndex].fields[d.ref.fieldIndex].display, v)}
            explain={explain}
            maxWidth={Math.max(160, Math.min(360, width - 16))}
          />
        );
      }}
    />
  );

  return (
    <div>
      <div data-testid={testIds.panel.chart}>
        <TimeSeries
          frames={main}
          width={width}
          height={mainHeight}
          timeRange={timeRange}
          timeZone={timeZone}
          legend={MAIN_LEGEND}
        >
          {(config) => (
            <>
              <ProgressiveLinesPlugin
                config={config}
                spanMs={mainSpans}
                marks={mainMarks}
                markColor={anomalyColor}
                regions={showRegions ? mainRegions : undefined}
                regionColor={drawn.length === 1 ? anomalyColor : undefined}
              />
              {tooltip(config)}
            </>
          )}
        </TimeSeries>
      </div>
      {showRegions &&
        drawn.map((d) => (
          <span
            key={d.ref.id}
            hidden
            data-testid={testIds.panel.region}
            data-series={d.ref.name}
            data-regions={Array.from(d.drawn.regions).join(',')}
          />
        ))}
      {scoreHeight > 0 && (
        <div data-testid={testIds.panel.scorePane}>
          <TimeSeries
            frames={score}
            width={width}
            height={scoreHeight}
            timeRange={timeRange}
            timeZone={timeZone}
            legend={NO_LEGEND}
          >
            {(config) => <ProgressiveLinesPlugin config={config} spanMs={scoreSpans} />}
          </TimeSeries>
        </div>
      )}
    </div>
  );
});
