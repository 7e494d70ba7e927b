import React, { useMemo } from 'react';
import { type DataFrame, type TimeRange, colorManipulator } from '@grafana/data';
import { LegendDisplayMode, type TimeZone } from '@grafana/schema';
import { TimeSeries, TooltipPlugin2, useTheme2 } from '@grafana/ui';
import type { ModelAnalysis } from '../analysis/analysePanel';
import { displayFrames } from '../render/displayFrames';
import type { SeriesMarks } from '../render/seriesMarks';
import { testIds } from '../testIds';
import { AnomalyTooltip, formatWith } from './AnomalyTooltip';
import { RegionsPlugin } from './RegionsPlugin';

interface Props {
  frames: DataFrame[];
  analyses: ModelAnalysis[];
  marks: SeriesMarks[];
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

/** The series with Grafana's TimeSeries (theme, legend, field options), anomalies as points and shaded runs. */
export function AnomalyChart(props: Props) {
  const { frames, analyses, marks, width, height, timeRange, timeZone, showScorePane, showRegions } = props;
  const theme = useTheme2();
  const anomalyColor = theme.visualization.getColorByName('red');
  const regionColor = colorManipulator.alpha(anomalyColor, theme.isDark ? 0.15 : 0.12);
  const { main, score } = useMemo(
    () => displayFrames(frames, analyses, marks, anomalyColor, theme),
    [frames, analyses, marks, anomalyColor, theme]
  );
  const regions = useMemo(() => marks.flatMap((m) => m.regions.map((r) => ({ ...r, series: m.ref.name }))), [marks]);
  const scoreHeight = showScorePane && score.length > 0 ? Math.round(height * SCORE_PANE_SHARE) : 0;
  const mainHeight = height - scoreHeight;

  const tooltip = (config: Parameters<typeof RegionsPlugin>[0]['config']) => (
    <TooltipPlugin2
      config={config}
      hoverMode={HOVER_ALL_SERIES}
      render={(u, dataIdxs) => {
        const idx = dataIdxs.find((i) => i !== null);
        if (idx === undefined || idx === null) {
          return null;
        }
        const time = u.data[0][idx];
        return (
          <AnomalyTooltip
            time={time}
            timeZone={timeZone}
            marks={marks}
            valueOf={(m) => valueAt(frames, m, time)}
            formatValue={(m, v) => formatWith(frames[m.ref.frameIndex].fields[m.ref.fieldIndex].display, v)}
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
          legend={{ showLegend: true, displayMode: LegendDisplayMode.List, placement: 'bottom', calcs: [] }}
        >
          {(config) => (
            <>
              {showRegions && <RegionsPlugin config={config} regions={regions} color={regionColor} />}
              {tooltip(config)}
            </>
          )}
        </TimeSeries>
      </div>
      {showRegions &&
        regions.map((r, i) => (
          <span
            key={i}
            hidden
            data-testid={testIds.panel.region}
            data-series={r.series}
            data-start={r.start}
            data-end={r.end}
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
            legend={{ showLegend: false, displayMode: LegendDisplayMode.Hidden, placement: 'bottom', calcs: [] }}
          />
        </div>
      )}
    </div>
  );
}

function valueAt(frames: DataFrame[], m: SeriesMarks, time: number): number | undefined {
  const frame = frames[m.ref.frameIndex];
  const times = frame.fields[m.ref.timeFieldIndex].values;
  for (let i = 0; i < frame.length; i++) {
    if (times[i] === time) {
      const v = frame.fields[m.ref.fieldIndex].values[i];
      return typeof v === 'number' ? v : undefined;
    }
  }
  return undefined;
}
