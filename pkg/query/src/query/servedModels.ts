/** The models an answer was scored with, as the answer's warnings about them read them. */
import type { TrainedModel } from '../models/modelRepository';

/** A model an answer was scored with, and the labels of its unit. */
export interface ServedModel {
  labels: Record<string, string>;
  model: TrainedModel;
}

/** How many of `models` pass `test`, of how many, and the first that does (a warning's example). */
export function modelsWhere(
  models: Iterable<ServedModel>,
  test: (model: TrainedModel) => boolean
): { first?: ServedModel; matching: number; total: number } {
  let first: ServedModel | undefined;
  let matching = 0;
  let total = 0;
  for (const entry of models) {
    total++;
    if (test(entry.model)) {
      matching++;
      first ??= entry;
    }
  }
  return { first, matching, total };
}
