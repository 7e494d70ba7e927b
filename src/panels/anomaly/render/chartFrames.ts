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
  /** The series' colour (its field's), for its regions. */
  color: string;
}

/** The drawn series of every analysed model, in the panel's order. */
export function drawnSeries(frames: DataFrame[], analyses: ModelAnalysis[], fallbackColor: string): DrawnRef[] {
  const result: DrawnRef[] = [];
  for (const { model, outcome } of analyses) {
    if (!outcome) {
      continue;
    }
    model.series.forEach((ref, i) => {
      const field = frames[ref.frameIndex]?.fields[ref.fieldIndex];
      const color = field?.display?.(0).color ?? fallbackColor;
      result.push({ ref, model, drawn: outcome.series[i], color });
    });
  }
  return result;
}

/** Typed values (NaN = nothing there) as a field's values (null = nothing there, which uPlot leaves out). */
export function toNullable(values: Float64Array): Array<number | null> {
  const out = new Array<number | null>(values.length);
  for (let i = 0; i < values.length; i++) {
    out[i] = Number.isNaN(values[i]) ? null : values[i];
  }
  return out;
}

/**
 * The main chart as one frame on the pixel grid (2 slots per column): per series its min/max line, keeping the
 * source field's config (unit, decimals, colour, display name), and a points-only field with its anomalies. The
 * line is connected across columns without points when they are closer than 1.5 of the series' own steps, so
 * sparse series stay lines while real gaps stay gaps.
 */
export function mainFrame(frames: DataFrame[], drawn: DrawnRef[], grid: PixelGrid, anomalyColor: string): DataFrame {
  const x = slotTimes(grid);
  const lines: Field[] = [];
  const marks: Field[] = [];
  for (const { ref, drawn: d } of drawn) {
    const source = frames[ref.frameIndex].fields[ref.fieldIndex];
    const spanNulls = source.config.custom?.spanNulls;
    lines.push({
      ...source,
      name: ref.name,
      values: toNullable(d.line),
      // Cached reductions (calcs) were of the frame's rows, not of these.
      state: { ...source.state, calcs: undefined },
      config: {
        ...source.config,
        displayName: source.config.displayName ?? ref.name,
        custom: {
          ...source.config.custom,
          spanNulls: spanNulls === true ? true : Math.max(1.5 * d.stepMs, 2 * columnWidth(grid)) + 1,
        },
      },
    });
    marks.push({
      name: `${ref.name} anomalies`,
      type: FieldType.number,
      labels: source.labels,
      values: toNullable(d.marks),
      display: source.display,
      config: {
        unit: source.config.unit,
        decimals: source.config.decimals,
        displayName: `${ref.name} · anomalies`,
        color: { mode: FieldColorModeId.Fixed, fixedColor: anomalyColor },
        custom: {
          ...source.config.custom,
          drawStyle: GraphDrawStyle.Points,
          showPoints: VisibilityMode.Always,
          pointSize: 9,
          lineWidth: 0,
          fillOpacity: 0,
          spanNulls: false,
          stacking: { mode: 'none' },
          // One legend entry per series is enough: the red markers explain themselves, and the tooltip shows them.
          hideFrom: { legend: true, tooltip: false, viz: false },
        },
      },
    });
  }
  return {
    name: 'anomalies',
    length: x.length,
    fields: [{ name: 'time', type: FieldType.time, values: Array.from(x), config: {} }, ...lines, ...marks],
  };
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

/** The score pane: one frame on the pixel grid, a score field per model, its threshold drawn as a line. */
export function scoreFrame(analyses: ModelAnalysis[], grid: PixelGrid, thresholdColor: string): DataFrame {
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
            spanNulls: Math.max(...outcome.series.map((s) => 1.5 * s.stepMs), 2 * columnWidth(grid)) + 1,
            thresholdsStyle: { mode: GraphThresholdsStyleMode.Line },
            axisSoftMin: axis.min,
            axisSoftMax: axis.max,
          },
        },
      };
    });
  return {
    name: 'scores',
    length: x.length,
    fields: [{ name: 'time', type: FieldType.time, values: Array.from(x), config: {} }, ...fields],
  };
}

/** Both charts' frames; the score frame gets display processors (it does not come through the panel's query). */
export function chartFrames(
  frames: DataFrame[],
  analyses: ModelAnalysis[],
  drawn: DrawnRef[],
  grid: PixelGrid,
  anomalyColor: string,
  theme: GrafanaTheme2
): { main: DataFrame[]; score: DataFrame[] } {
  const score = applyFieldOverrides({
    data: [scoreFrame(analyses, grid, anomalyColor)],
    fieldConfig: { defaults: {}, overrides: [] },
    theme,
    replaceVariables: (value) => value,
  });
  return { main: [mainFrame(frames, drawn, grid, anomalyColor)], score };
}
