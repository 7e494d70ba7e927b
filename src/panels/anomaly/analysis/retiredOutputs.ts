import type { DrawnSeries } from '../worker/messages';
import type { Analysis } from './analysePanel';

type DoneAnalysis = Extract<Analysis, { status: 'done' }>;

/**
 * The buffers of a result the panel no longer draws that the results drawn since do not use: its lines, marks and
 * score panes, sized to the plot (a refresh's answers have the same sizes). Given back to the scorer, the workers
 * write their next answers into them instead of into new memory. Regions and runs are not given back: they are
 * small, and the annotations written for a result read its runs after it was replaced.
 */
export function retiredOutputs(retired: DoneAnalysis, ...drawn: DoneAnalysis[]): ArrayBuffer[] {
  const kept = new Set(drawn.flatMap(gridSizedBuffers));
  return [...new Set(gridSizedBuffers(retired))].filter((buffer) => !kept.has(buffer) && buffer.byteLength > 0);
}

function gridSizedBuffers(analysis: DoneAnalysis): ArrayBuffer[] {
  const arrays: Float64Array[] = [];
  const add = (series: readonly DrawnSeries[] | undefined) =>
    series?.forEach((s) => arrays.push(s.line, s.marks, s.markTimes));
  for (const model of analysis.models) {
    if (model.outcome) {
      arrays.push(model.outcome.scores);
      add(model.outcome.series);
    }
    add(model.unscored);
  }
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
