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
import type { ModelAnalysis } from '../analysis/analysePanel';
import type { SeriesMarks } from './seriesMarks';

/**
 * The panel's frames plus, per analysed series, a points-only field holding the value at marked anomalies (null
 * elsewhere, so nothing is drawn there). The series fields keep their processed config (unit, decimals, color).
 */
export function withAnomalyFields(frames: DataFrame[], marks: SeriesMarks[], anomalyColor: string): DataFrame[] {
  return frames.map((frame, frameIndex) => {
    const extra: Field[] = marks
      .filter((m) => m.ref.frameIndex === frameIndex)
      .map((m) => {
        const source = frame.fields[m.ref.fieldIndex];
        return {
          name: `${m.ref.name} anomalies`,
          type: FieldType.number,
          labels: source.labels,
          values: m.anomalyValues,
          display: source.display,
          config: {
            unit: source.config.unit,
            decimals: source.config.decimals,
            displayName: `${m.ref.name} · anomalies`,
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
        };
      });
    return extra.length === 0 ? frame : { ...frame, fields: [...frame.fields, ...extra] };
  });
}

/** The score pane: one score field per model, the model's threshold drawn as a line. */
export function scoreFrames(analyses: ModelAnalysis[], marks: SeriesMarks[], thresholdColor: string): DataFrame[] {
  return analyses
    .filter((a) => a.outcome)
    .map((a) => {
      const outcome = a.outcome!;
      const name = marks.find((m) => m.ref.id === a.model.series[0].id)?.scoreName ?? `${a.model.label} · score`;
      return {
        name,
        length: outcome.times.length,
        fields: [
          { name: 'time', type: FieldType.time, values: Array.from(outcome.times), config: {} },
          {
            name,
            type: FieldType.number,
            values: Array.from(outcome.scores),
            config: {
              displayName: name,
              // Without an explicit colour mode the line would take the thresholds' colour (transparent below it).
              color: { mode: FieldColorModeId.PaletteClassic },
              decimals: 3,
              min: 0,
              max: 1,
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
                thresholdsStyle: { mode: GraphThresholdsStyleMode.Line },
              },
            },
          },
        ],
      };
    });
}

/** Both charts' frames; the score frames get display processors (they do not come through the panel's query). */
export function displayFrames(
  frames: DataFrame[],
  analyses: ModelAnalysis[],
  marks: SeriesMarks[],
  anomalyColor: string,
  theme: GrafanaTheme2
): { main: DataFrame[]; score: DataFrame[] } {
  const score = applyFieldOverrides({
    data: scoreFrames(analyses, marks, anomalyColor),
    fieldConfig: { defaults: {}, overrides: [] },
    theme,
    replaceVariables: (value) => value,
  });
  return { main: withAnomalyFields(frames, marks, anomalyColor), score };
}
