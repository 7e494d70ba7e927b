/**
 * Series hidden from the legend the way Grafana's time series panel hides them, so that the choice is saved with the
 * dashboard: Grafana's VizLegend hands a click to the dashboard (PanelContext.onToggleSeriesVisibility, with the
 * item's fieldName), which writes a field override hiding the other series (`custom.hideFrom`: viz and tooltip,
 * matched by display name; Grafana's seriesVisibilityConfigFactory), and the panel reads what is hidden back from its
 * fields' config. Where the dashboard offers no such callback (a host without one), the panel keeps the choice in its
 * own state.
 */
import { type DataFrame, getFieldDisplayName } from '@grafana/data';
import type { ModelAnalysis } from '../analysis/analysePanel';
import type { SeriesRef } from '../data/seriesRefs';

/** The areas of Grafana's "Hide in area" field option (custom.hideFrom), as the time series panel honours them. */
export type HiddenArea = 'viz' | 'legend' | 'tooltip';

interface HideableConfig {
  custom?: { hideFrom?: Partial<Record<HiddenArea, boolean>> };
}

/** The names (SeriesRef.name, the legend's key) of the analysed series whose field is hidden from `area`. */
export function hiddenByFieldConfig(
  analyses: readonly ModelAnalysis[],
  frames: DataFrame[],
  area: HiddenArea = 'viz'
): Set<string> {
  const hidden = new Set<string>();
  for (const { model } of analyses) {
    for (const ref of model.series) {
      const field = frames[ref.frameIndex]?.fields[ref.fieldIndex];
      if ((field?.config as HideableConfig | undefined)?.custom?.hideFrom?.[area] === true) {
        hidden.add(ref.name);
      }
    }
  }
  return hidden;
}

/** The name Grafana's hide-series override matches a series by: its field's display name among the panel's frames. */
export function visibilityName(frames: DataFrame[], ref: Pick<SeriesRef, 'frameIndex' | 'fieldIndex'>): string {
  const frame = frames[ref.frameIndex];
  return getFieldDisplayName(frame.fields[ref.fieldIndex], frame, frames);
}

/**
 * Whether the dashboard can keep the legend's choice for these series: Grafana matches its override by display name
 * among the data's own frames, so not when the panel split a long frame (its series share one field there: hiding
 * one hid all) nor when two series have one display name (a click would hide both or neither).
 */
export function dashboardKeepsVisibility(
  analyses: readonly ModelAnalysis[],
  frames: DataFrame[],
  framesSplit: boolean
): boolean {
  if (framesSplit) {
    return false;
  }
  const names = analyses.flatMap(({ model }) => model.series.map((ref) => visibilityName(frames, ref)));
  return new Set(names).size === names.length;
}

/** Series left out of the legend and of the tooltip only, by name. */
export interface HiddenFrom {
  legend: ReadonlySet<string>;
  tooltip: ReadonlySet<string>;
}

export const NOTHING_HIDDEN: HiddenFrom = { legend: new Set(), tooltip: new Set() };
