import {
  type DataFrame,
  type Field,
  FieldColorModeId,
  FieldType,
  type GrafanaTheme2,
  ThresholdsMode,
  applyFieldOverrides,
} from '@grafana/data';
import { GraphDrawStyle, GraphThresholdsStyleMode, VisibilityMode } from '@grafana/schema';
import type { ModelAnalysis, PanelModel } from '../analysis/analysePanel';
import type { SeriesRef } from '../data/seriesRefs';
import { type PixelGrid, columnWidth, slotTimes } from '../pipeline/decimate';
import type { DrawnSeries } from '../worker/messages';

/** One drawn series: where it came from, its model, and what the worker sent for it. */
export interface DrawnRef {
  ref: SeriesRef;
  model: PanelModel;
  drawn: DrawnSeries;
}

/** The drawn series of every analysed model, in the panel's order. */
export function drawnSeries(analyses: ModelAnalysis[]): DrawnRef[] {
  return analyses.flatMap(({ model, outcome }) =>
    outcome ? model.series.map((ref, i) => ({ ref, model, drawn: outcome.series[i] })) : []
  );
}

/** Typed values (NaN = nothing there) as a field's values (null = nothing there, which uPlot leaves out). */
export function toNullable(values: Float64Array): Array<number | null> {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Number.isNaN(values[i]) ? null : values[i];
  }
  return out;
}

/** Connect a series' points across empty columns when closer than this (1.5 of its own step, at least 2 columns). */
export function spanOf(stepMs: number, grid: PixelGrid): number {
  return Math.max(1.5 * stepMs, 2 * columnWidth(grid)) + 1;
}

/**
 * The main chart as one frame on the pixel grid (2 slots per column): per series its min/max line, keeping the
 * source field's config (unit, decimals, colour, display name). The anomalies are not fields: the chart draws them
 * from the drawn series (ProgressiveLinesPlugin), as it draws the lines.
 */
export function mainFrame(frames: DataFrame[], drawn: DrawnRef[], grid: PixelGrid): DataFrame {
  const x = slotTimes(grid);
  const lines: Field[] = drawn.map(({ ref, drawn: d }) => {
    const source = frames[ref.frameIndex].fields[ref.fieldIndex];
    return {
      ...source,
      name: ref.name,
      values: toNullable(d.line),
      // Cached reductions (calcs) were of the frame's rows, not of these.
      state: { ...source.state, calcs: undefined },
      config: {
        ...source.config,
        displayName: source.config.displayName ?? ref.name,
        // The lines are drawn by ProgressiveLinesPlugin, which connects points itself (spanOf): a numeric spanNulls
        // would only make Grafana rewrite every value of every field once more (nullToUndefThreshold) per build.
        custom: { ...source.config.custom, spanNulls: true },
      },
    };
  });
  return {
    name: 'anomalies',
    length: x.length,
    fields: [timeField(x), ...lines],
  };
}

/**
 * The grid's time field. Its slots are evenly spaced with nothing to insert: marked as such, so Grafana's chart does
 * not scan it for gaps (applyNullInsertThreshold) on every build.
 */
function timeField(x: Float64Array): Field {
  return { name: 'time', type: FieldType.time, values: Array.from(x), config: {}, state: { nullThresholdApplied: true } };
}

/** Score axis: from the lowest score down to a tenth, to the highest score (or threshold) up to a tenth. */
export function scoreAxis(analyses: ModelAnalysis[]): { min: number; max: number } {
  let low = 1;
  let high = 0;
  for (const { outcome } of analyses) {
    if (outcome) {
      low = Math.min(low, outcome.scoreRange[0], outcome.threshold);
      high = Math.max(high, outcome.scoreRange[1], outcome.threshold);
    }
  }
  if (high < low) {
    return { min: 0, max: 1 };
  }
  const min = Math.max(0, Math.floor(low * 10) / 10);
  const max = Math.min(1, Math.ceil(high * 10) / 10);
  return max > min ? { min, max } : { min: Math.max(0, min - 0.1), max: Math.min(1, max + 0.1) };
}

/**
 * The score pane: one frame on the pixel grid, a score field per model, its threshold drawn as a line; with display
 * processors (it does not come through the panel's query).
 */
export function scoreFrame(
  analyses: ModelAnalysis[],
  grid: PixelGrid,
  thresholdColor: string,
  theme: GrafanaTheme2
): DataFrame {
  const x = slotTimes(grid);
  const axis = scoreAxis(analyses);
  const fields: Field[] = analyses
    .filter((a) => a.outcome)
    .map((a) => {
      const outcome = a.outcome!;
      const name = a.model.series.length === 1 ? `${a.model.series[0].name} · score` : `${a.model.label} · score`;
      return {
        name,
        type: FieldType.number,
        values: toNullable(outcome.scores),
        config: {
          displayName: name,
          // Without an explicit colour mode the line would take the thresholds' colour (transparent below it).
          color: { mode: FieldColorModeId.PaletteClassic },
          decimals: 2,
          min: axis.min,
          max: axis.max,
          thresholds: {
            mode: ThresholdsMode.Absolute,
            steps: [
              { value: -Infinity, color: 'transparent' },
              { value: outcome.threshold, color: thresholdColor },
            ],
          },
          custom: {
            drawStyle: GraphDrawStyle.Line,
            lineWidth: 1,
            fillOpacity: 10,
            showPoints: VisibilityMode.Never,
            spanNulls: true, // connected by ProgressiveLinesPlugin (see mainFrame)
            thresholdsStyle: { mode: GraphThresholdsStyleMode.Line },
            axisSoftMin: axis.min,
            axisSoftMax: axis.max,
          },
        },
      };
    });
  const frame: DataFrame = {
    name: 'scores',
    length: x.length,
    fields: [timeField(x), ...fields],
  };
  return applyFieldOverrides({
    data: [frame],
    fieldConfig: { defaults: {}, overrides: [] },
    theme,
    replaceVariables: (value) => value,
  })[0];
}
