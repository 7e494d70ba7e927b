import type { ModelAnalysis, PanelModel } from '../analysis/analysePanel';
import type { SeriesRef } from '../data/seriesRefs';
import { type PixelGrid, columnWidth } from '../pipeline/decimate';
import type { DrawnSeries } from '../worker/messages';

/** One drawn series: where it came from, its model, and what the worker sent for it. */
export interface DrawnRef {
  ref: SeriesRef;
  model: PanelModel;
  drawn: DrawnSeries;
}

/** The drawn series of every analysed model, in the panel's order. */
export function drawnSeries(analyses: ModelAnalysis[]): DrawnRef[] {
  return analyses.flatMap(({ model, outcome, unscored }) => {
    const lines = outcome?.series ?? unscored;
    return lines ? model.series.map((ref, i) => ({ ref, model, drawn: lines[i] })) : [];
  });
}

/** Connect a series' points across empty columns when closer than this (1.5 of its own step, at least 2 columns). */
export function spanOf(stepMs: number, grid: PixelGrid): number {
  return Math.max(1.5 * stepMs, 2 * columnWidth(grid)) + 1;
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
