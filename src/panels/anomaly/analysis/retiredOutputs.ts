import type { DrawnSeries } from '../worker/messages';
import type { GivenBack } from '../worker/scorer';
import type { Analysis } from './analysePanel';

type DoneAnalysis = Extract<Analysis, { status: 'done' }>;

/**
 * The buffers of a result the panel no longer draws that the results drawn since do not use: its lines, marks and
 * score panes, sized to the plot (a refresh's answers have the same sizes). Given back to the scorer, the workers
 * write their next answers into them instead of into new memory. Regions and runs are not given back: they are
 * small, and the annotations written for a result read its runs after it was replaced. By model (its slot): a pool of
 * workers gives each its own models' buffers, which it answers with again.
 */
export function retiredOutputs(retired: DoneAnalysis, ...drawn: DoneAnalysis[]): GivenBack[] {
  const kept = new Set(drawn.flatMap((analysis) => analysis.models.flatMap(gridSizedBuffers)));
  const seen = new Set<ArrayBuffer>();
  const given: GivenBack[] = [];
  for (const model of retired.models) {
    const buffers = gridSizedBuffers(model).filter((buffer) => {
      const fresh = !seen.has(buffer) && !kept.has(buffer) && buffer.byteLength > 0;
      seen.add(buffer);
      return fresh;
    });
    if (buffers.length > 0) {
      given.push({ slot: model.model.key, buffers });
    }
  }
  return given;
}

/** A model's grid-sized buffers: its score pane, and its series' lines and marks. */
function gridSizedBuffers(model: DoneAnalysis['models'][number]): ArrayBuffer[] {
  const arrays: Float64Array[] = [];
  const add = (series: readonly DrawnSeries[] | undefined) =>
    series?.forEach((s) => arrays.push(s.line, s.marks, s.markTimes));
  if (model.outcome) {
    arrays.push(model.outcome.scores);
    add(model.outcome.series);
  }
  add(model.unscored);
  return arrays.map((array) => array.buffer as ArrayBuffer);
}
