import type { PanelModel } from '@grafana/data';
import type { AnomalyOptions, TrainingRangeKind } from '../types';
import { savedContamination, withDefaults } from './defaults';

/**
 * The first drafts of the panel stored the training range flat (`trainingRange`, `baselineDays`) and
 * numbers typed into text inputs as strings. Those dashboards keep working through this shape.
 */
interface FlatDraftOptions {
  trainingRange?: TrainingRangeKind;
  baselineDays?: number | string;
  trainingFrom?: number;
  trainingTo?: number;
}

const NUMERIC_KEYS = ['contamination', 'trees', 'maxSamples', 'seed', 'window', 'lags', 'minConsecutive'] as const;

/**
 * Grafana calls this when the saved panel comes from another plugin version (or another panel type; Scenes'
 * VizPanel: whenever the saved pluginVersion differs, so also for dashboards provisioned, imported or written through
 * the API without one): returns valid options, whatever was saved, complete but for a contamination never saved or
 * saved as no contamination (0, null, "AUTO"). That one stays unset, so the panel takes the app's default
 * contamination as a new panel does (useAppDefaultContamination).
 */
export function migrateOptions(panel: PanelModel<Partial<AnomalyOptions> & FlatDraftOptions>): Partial<AnomalyOptions> {
  const saved: Record<string, unknown> = { ...(panel.options ?? {}) };

  for (const key of NUMERIC_KEYS) {
    const value = saved[key];
    if (typeof value === 'string' && value.trim() !== '' && value !== 'auto' && Number.isFinite(Number(value))) {
      saved[key] = Number(value);
    }
  }

  if (saved.training === undefined && typeof saved.trainingRange === 'string') {
    saved.training = {
      kind: saved.trainingRange,
      previousDays: saved.baselineDays === undefined ? undefined : Number(saved.baselineDays),
      from: saved.trainingFrom,
      to: saved.trainingTo,
    };
  }
  delete saved.trainingRange;
  delete saved.baselineDays;
  delete saved.trainingFrom;
  delete saved.trainingTo;

  const options: Partial<AnomalyOptions> = withDefaults(saved as Partial<AnomalyOptions>);
  if (savedContamination(saved.contamination) === undefined) {
    // Missing, or no contamination (0, null, "AUTO"): left unset, the app's default as for a new panel.
    delete options.contamination;
  }
  return options;
}

/**
 * Whether a saved panel needs migrateOptions although its plugin version is the current one (PanelPlugin's
 * shouldMigrate; Scenes' VizPanel migrates when the version differs or this says so): draft options saved by this
 * very version (the flat training range, numbers held as strings), which withDefaults would otherwise ignore, and the
 * panel would train on the visible range without saying so.
 */
export function needsMigration(panel: Pick<PanelModel, 'options'>): boolean {
  const saved: Record<string, unknown> = panel.options ?? {};
  const flat = ['trainingRange', 'baselineDays', 'trainingFrom', 'trainingTo'].some((key) => key in saved);
  return flat || NUMERIC_KEYS.some((key) => typeof saved[key] === 'string' && saved[key] !== 'auto');
}
