import type { DataFrame } from '@grafana/data';
import { rollingMean } from '@telemetry-analyzer/engine';
import type { ModelAnalysis } from '../analysis/analysePanel';
import type { SeriesRef } from '../data/seriesRefs';
import { seriesToTable } from '../data/seriesTable';
import type { Explanation } from '../worker/messages';
import { type AnomalyRegion, type MarkRules, markAnomalies } from './anomalyMarks';

/** What the panel draws for one series. */
export interface SeriesMarks {
  ref: SeriesRef;
  /** Name of the model's score (one per series, or one per multivariate group). */
  scoreName: string;
  /** Per row of the series' frame: the value where the point is marked anomalous, else null. */
  anomalyValues: Array<number | null>;
  regions: AnomalyRegion[];
  /** Epoch ms of the marked points. */
  markedTimes: Set<number>;
  /** Scores and explanations by epoch ms, for the tooltip. */
  scoreAt: Map<number, number>;
  explanationAt: Map<number, Explanation>;
  threshold: number;
  anomalyCount: number;
}

/**
 * Applies the engine's results to the series they came from: marks (by the rules), regions, and lookups for the
 * tooltip. In a multivariate model an anomalous row marks every series of the model at that time.
 */
export function buildSeriesMarks(
  frames: DataFrame[],
  analyses: ModelAnalysis[],
  rules: MarkRules,
  window: number
): SeriesMarks[] {
  const result: SeriesMarks[] = [];
  for (const { model, outcome } of analyses) {
    if (!outcome) {
      continue;
    }
    const scoreAt = new Map<number, number>();
    outcome.times.forEach((t, i) => scoreAt.set(t, outcome.scores[i]));
    const explanationAt = new Map(outcome.explanations.map((e) => [e.time, e]));
    for (const ref of model.series) {
      const table = seriesToTable(frames, ref);
      const rowOfTime = new Map<number, number>();
      table.timestamps.forEach((t, i) => rowOfTime.set(t, i));
      const column = table.columns[0].values;
      const mean = rollingMean(column, window);
      const at = (i: number) => rowOfTime.get(outcome.times[i]) ?? -1;
      const { marked, regions } = markAnomalies(
        {
          times: outcome.times,
          values: Array.from(outcome.times, (_, i) => (at(i) >= 0 ? column[at(i)] : NaN)),
          rollingMean: Array.from(outcome.times, (_, i) => (at(i) >= 0 ? mean[at(i)] : NaN)),
          isAnomaly: outcome.isAnomaly,
        },
        rules
      );
      const frame = frames[ref.frameIndex];
      const frameTimes = frame.fields[ref.timeFieldIndex].values;
      const frameValues = frame.fields[ref.fieldIndex].values;
      const markedTimes = new Set<number>();
      marked.forEach((m, i) => m && markedTimes.add(outcome.times[i]));
      const anomalyValues = Array.from({ length: frame.length }, (_, row) => {
        const t = toMillis(frameTimes[row]);
        const v = frameValues[row];
        return markedTimes.has(t) && typeof v === 'number' ? v : null;
      });
      result.push({
        ref,
        scoreName: model.series.length === 1 ? `${ref.name} · score` : `${model.label} · score`,
        anomalyValues,
        regions,
        markedTimes,
        scoreAt,
        explanationAt,
        threshold: outcome.threshold,
        anomalyCount: markedTimes.size,
      });
    }
  }
  return result;
}

function toMillis(value: unknown): number {
  return value instanceof Date ? value.getTime() : typeof value === 'number' ? value : Date.parse(String(value));
}
