/**
 * The warning for models whose series did not change over their training range (an error rate that stayed 0, `up`):
 * the forest never splits on a constant feature, as scikit-learn's does not, so every later value of such a series
 * scores alike and a change in it is never flagged. An alert on it would never fire (an attack review found no word
 * of it). Online mode's trailing deviation does see such a series move.
 */
import { labelsKey } from '../upstreams/series';
import { type ServedModel, modelsWhere } from './servedModels';

/** One warning for all such models of an answer (Prometheus' `warnings`), undefined when there is none. */
export function constantTrainingWarning(models: Iterable<ServedModel>): string | undefined {
  const { first, matching, total } = modelsWhere(models, (model) => (model.constantColumns?.length ?? 0) > 0);
  if (first === undefined) {
    return undefined;
  }
  const columns = first.model.constantColumns!;
  const whole = columns.length === first.model.detector.columns.length;
  return (
    `${matching} of ${total} models were trained on series that did not change over the training range (e.g. ` +
    `${labelsKey(first.labels)}${whole ? '' : `, column ${columns.join(', ')}`}): a change in them is never flagged; ` +
    'online=true flags such changes'
  );
}
