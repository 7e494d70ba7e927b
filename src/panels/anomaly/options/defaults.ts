import { CONTAMINATION_MAX, DEFAULT_CONTAMINATION, DEFAULT_DETECTOR_SETTINGS } from '@telemetry-analyzer/engine';
import type { AnomalyOptions } from '../types';

export { CONTAMINATION_MAX };
/** The engine's seeds are integers in [0, 2^32 - 1] (isolationForest.ts refuses any other). */
export const SEED_MAX = 0xffffffff;

/** Defaults of every panel option; the editor, the migration handler and the tests share them. */
export const DEFAULT_OPTIONS: Readonly<AnomalyOptions> = Object.freeze({
  contamination: DEFAULT_CONTAMINATION,
  trees: DEFAULT_DETECTOR_SETTINGS.trees,
  maxSamples: 'auto',
  seed: DEFAULT_DETECTOR_SETTINGS.seed,
  window: DEFAULT_DETECTOR_SETTINGS.window,
  lags: DEFAULT_DETECTOR_SETTINGS.lags,
  seasonality: 'auto',
  online: false,
  mode: 'per-series',
  groupByLabel: '',
  training: Object.freeze({ kind: 'visible', previousDays: 7 }),
  minConsecutive: 1,
  direction: 'both',
  showScorePane: true,
  showRegions: true,
  writeAnnotations: false,
}) as Readonly<AnomalyOptions>;

/** Options with every missing or malformed value replaced by its default (dashboards may hold anything). */
export function withDefaults(partial: Partial<AnomalyOptions> | undefined): AnomalyOptions {
  const o = partial ?? {};
  const d = DEFAULT_OPTIONS;
  const training = { ...d.training, ...(o.training ?? {}) };
  return {
    contamination: normaliseContamination(o.contamination),
    trees: positiveInteger(o.trees, d.trees),
    maxSamples: o.maxSamples === 'auto' ? 'auto' : positiveInteger(o.maxSamples, 'auto'),
    seed: normaliseSeed(o.seed),
    window: Math.max(2, positiveInteger(o.window, d.window)),
    lags: Number.isInteger(o.lags) && (o.lags as number) >= 0 ? (o.lags as number) : d.lags,
    seasonality: o.seasonality === 'on' || o.seasonality === 'off' ? o.seasonality : 'auto',
    online: o.online === true,
    mode: o.mode === 'multivariate' ? 'multivariate' : 'per-series',
    groupByLabel: typeof o.groupByLabel === 'string' ? o.groupByLabel.trim() : '',
    training: {
      kind: training.kind === 'previous' || training.kind === 'absolute' ? training.kind : 'visible',
      previousDays: typeof training.previousDays === 'number' && training.previousDays > 0 ? training.previousDays : 7,
      from: typeof training.from === 'number' ? training.from : undefined,
      to: typeof training.to === 'number' ? training.to : undefined,
    },
    minConsecutive: positiveInteger(o.minConsecutive, d.minConsecutive),
    direction: o.direction === 'above' || o.direction === 'below' ? o.direction : 'both',
    showScorePane: typeof o.showScorePane === 'boolean' ? o.showScorePane : d.showScorePane,
    showRegions: typeof o.showRegions === 'boolean' ? o.showRegions : d.showRegions,
    writeAnnotations: typeof o.writeAnnotations === 'boolean' ? o.writeAnnotations : d.writeAnnotations,
  };
}

/**
 * A seed the engine takes: an integer clamped into [0, 4294967295] (a dashboard saved with -5 or 2^32, typed before
 * the editor had limits or written by hand, gets 0 or 4294967295), anything that is no integer the default seed.
 */
export function normaliseSeed(value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    return DEFAULT_OPTIONS.seed;
  }
  return Math.min(SEED_MAX, Math.max(0, value));
}

/** 'auto', or a number in (0, 0.5] (above 0.5: 0.5); anything else falls back to the default. */
export function normaliseContamination(value: unknown): 'auto' | number {
  return savedContamination(value) ?? DEFAULT_OPTIONS.contamination;
}

/**
 * The contamination a panel's saved value holds: 'auto', or a number in (0, 0.5] (above 0.5: 0.5; a number as text
 * read as one); undefined for a missing value and for one that is no contamination (0, null, "AUTO", …), which the
 * panel and its editor treat alike: the app's default contamination (dashboards written by tools hold null).
 */
export function savedContamination(value: unknown): 'auto' | number | undefined {
  if (value === 'auto') {
    return 'auto';
  }
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) {
    return undefined;
  }
  return Math.min(CONTAMINATION_MAX, n);
}

/**
 * What the max samples field holds after the user typed `text`: 'auto' for an empty field or "auto", a positive whole
 * number as it is, and the current value for anything else (0, -3, 12.5, abc): refused, the field shows the current
 * value again.
 */
export function parseMaxSamplesInput(text: string, current: 'auto' | number): 'auto' | number {
  const trimmed = text.trim();
  if (trimmed === '' || trimmed.toLowerCase() === 'auto') {
    return 'auto';
  }
  const n = Number(trimmed);
  return Number.isSafeInteger(n) && n > 0 ? n : current;
}

/**
 * What the "previous days" field holds after the user typed `text`: a positive finite number of days, or the current
 * value for anything else (0, -3, an empty or non-numeric field): refused, the field shows the current value again.
 */
export function parsePreviousDaysInput(text: string, current: number): number {
  const trimmed = text.trim();
  const n = Number(trimmed);
  return trimmed !== '' && Number.isFinite(n) && n > 0 ? n : current;
}

function positiveInteger<T>(value: unknown, fallback: T): number | T {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
