/**
 * The options of detect/train/stream, checked and typed. Every bad value is an InputError naming the option.
 */
import {
  ANOMALY_INTEGER_LIMITS,
  DEFAULT_ONLINE_OPTIONS,
  detectionModeChoices,
  MIN_TRAINING_ROWS,
  parseDetectionMode,
  readContamination,
  minimumRefitHistory,
  FEATURE_INTEGER_LIMITS,
  type DetectionMode,
  type DetectorMode,
  type DetectorOptions,
  type OnlineOptions,
  MAX_HORIZON,
  MIN_RECORD_HISTORY,
} from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import type { ColumnRoles } from '../input/inputSchema';

/** Default cap on training rows per group: bounds the memory of training (see README). */
export const DEFAULT_MAX_TRAIN_ROWS = 500_000;
/** Rows read between two scoring rounds: bounds the memory of scoring. */
export const DEFAULT_CHUNK_ROWS = 50_000;

/** Raw option values as commander hands them over (strings, or booleans for flags). */
export interface DetectionFlags {
  timestampColumn: string;
  columns?: string;
  groupBy?: string;
  maxGroups: string;
  contamination: string;
  trees: string;
  maxSamples: string;
  seed: string;
  trainFraction: string;
  trainFile?: string;
  maxTrainRows: string;
  chunkRows: string;
  threads: string;
  window: string;
  lags: string;
  seasonality: boolean;
  raw?: boolean;
  mode: string;
  model?: string;
  format?: string;
  quiet?: boolean;
  strict?: boolean;
  online?: boolean;
  warmup: string;
  refitEvery: string;
  refitHistory: string;
  horizon: string;
  mergeRows: string;
  deviationWindow: string;
}

/** The model's flags (addModelOptions). */
export type ModelFlags = Pick<
  DetectionFlags,
  'trees' | 'maxSamples' | 'seed' | 'window' | 'lags' | 'seasonality' | 'raw'
>;

/**
 * The detector a run trains, but for its contamination: detect's and train's, and stream --online's, which must be
 * detect --online's for the same flags.
 * @param mode the detection mode, read (DETECTION_MODES)
 */
export function parseModelFlags(
  flags: ModelFlags,
  mode: DetectionMode
): Required<Pick<DetectorOptions, 'features' | 'mode'>> & {
  forest: Required<Pick<NonNullable<DetectorOptions['forest']>, 'nEstimators' | 'maxSamples' | 'seed'>>;
} {
  return {
    // Per series, in a table of metric columns: one model per column, the engine's per-column detector.
    mode: mode === 'per-series' ? 'per-column' : 'multivariate',
    features: {
      raw: flags.raw === true,
      // The engine's own limits, checked now: past them training would fail as if the data were at fault.
      window: parseInteger('--window', flags.window, ...FEATURE_INTEGER_LIMITS.window),
      lags: parseInteger('--lags', flags.lags, ...FEATURE_INTEGER_LIMITS.lags),
      seasonality: flags.seasonality ? 'auto' : false,
    },
    forest: {
      // The range every host accepts (the proxy's trees=): a huge count is the option's fault, said before any
      // data is read, not a failed training reported against the input.
      nEstimators: parseInteger('--trees', flags.trees, ...ANOMALY_INTEGER_LIMITS.trees),
      maxSamples: parseMaxSamples(flags.maxSamples),
      seed: parseInteger('--seed', flags.seed, 0, 4294967295),
    },
  };
}

/** Rows the first online model trains on unless --warmup says otherwise. */
export const DEFAULT_WARMUP_ROWS = 500;

export interface DetectionSettings {
  roles: ColumnRoles;
  detector: Required<Pick<DetectorOptions, 'features' | 'forest' | 'mode'>>;
  contamination: number | 'auto';
  trainFraction: number;
  trainFile?: string;
  maxTrainRows: number;
  chunkRows: number;
  /** 1: everything on the main thread; 2: scoring on a worker thread beside reading and writing. */
  threads: number;
  quiet: boolean;
  /** Refuse timestamps that do not strictly increase (default: keep them in file order, with a warning). */
  strict: boolean;
  /** Online mode (--online): every row scored from the rows before it, calibrated scores. */
  online?: OnlineOptions;
}

export function parseDetectionFlags(flags: DetectionFlags): DetectionSettings {
  const contamination = parseContamination(flags.contamination);
  const columns = flags.columns === undefined ? undefined : parseColumnList(flags.columns);
  // `--mode online` is --online with one multivariate model (the form NAB's runner uses).
  const online = flags.online === true || flags.mode === 'online';
  const shared = flags.mode === 'online' ? 'multivariate' : parseDetectionMode(flags.mode);
  if (shared === undefined) {
    throw new InputError({ source: '--mode' }, `must be ${detectionModeChoices()} or online, got "${flags.mode}"`);
  }
  const model = parseModelFlags(flags, shared);
  const settings: DetectionSettings = {
    roles: {
      timestampColumn: flags.timestampColumn,
      groupBy: flags.groupBy,
      maxGroups: parseInteger('--max-groups', flags.maxGroups, 1),
      columns,
    },
    detector: { ...model, forest: { ...model.forest, contamination } },
    contamination,
    trainFraction: parseFraction('--train-fraction', flags.trainFraction),
    trainFile: flags.trainFile,
    maxTrainRows: parseInteger('--max-train-rows', flags.maxTrainRows, 1),
    chunkRows: parseInteger('--chunk-rows', flags.chunkRows, 1),
    threads: parseInteger('--threads', flags.threads, 1, 3),
    quiet: flags.quiet === true,
    strict: flags.strict === true,
    online: online ? parseOnlineFlags(flags) : undefined,
  };
  checkRefitHistory(settings.online, settings.detector);
  return settings;
}

/**
 * A --refit-history shorter than a refit can train on would fail every refit (and `stream` would then refuse every
 * later row): refused before any row is read, naming the option.
 */
export function checkRefitHistory(online: OnlineOptions | undefined, detector: DetectorOptions): void {
  const { refitEvery, refitHistory } = { ...DEFAULT_ONLINE_OPTIONS, ...online };
  if (online === undefined || refitEvery === 0) {
    return;
  }
  const least = minimumRefitHistory(detector);
  if (refitHistory < least) {
    throw new InputError(
      { source: '--refit-history' },
      `must be at least ${least} with --refit-every, got ${refitHistory}: a refit trains on the last ` +
        `--refit-history rows, and training needs ${least - MIN_TRAINING_ROWS} warm-up rows (--lags, --window) plus ` +
        `${MIN_TRAINING_ROWS} to fit on`
    );
  }
}

/**
 * Refuses, before any row is read, a --warmup too short for the first model to train on: `stream` would otherwise
 * skip every row as it came (a review), where `detect` names the file's rows.
 */
export function checkWarmup(online: OnlineOptions, detector: DetectorOptions): void {
  const least = minimumRefitHistory(detector);
  const warmup = online.warmup ?? DEFAULT_WARMUP_ROWS;
  if (warmup < least) {
    throw new InputError(
      { source: '--warmup' },
      `must be at least ${least}, got ${warmup}: the first model trains on the first --warmup complete rows, and ` +
        `training needs ${least - MIN_TRAINING_ROWS} warm-up rows (--lags, --window) plus ${MIN_TRAINING_ROWS} to fit on`
    );
  }
}

export function parseOnlineFlags(
  flags: Pick<DetectionFlags, 'warmup' | 'refitEvery' | 'refitHistory' | 'horizon' | 'mergeRows' | 'deviationWindow'>
): OnlineOptions {
  return {
    warmup: parseInteger('--warmup', flags.warmup, 1),
    refitEvery: parseInteger('--refit-every', flags.refitEvery, 0),
    refitHistory: parseInteger('--refit-history', flags.refitHistory, 1),
    horizon: parseInteger('--horizon', flags.horizon, MIN_RECORD_HISTORY, MAX_HORIZON),
    mergeRows: parseInteger('--merge-rows', flags.mergeRows, 0),
    deviationWindow: parseInteger('--deviation-window', flags.deviationWindow, 2),
  };
}

/** Defaults of the online flags, as commander shows them. */
export const ONLINE_FLAG_DEFAULTS = {
  warmup: String(DEFAULT_WARMUP_ROWS),
  refitEvery: String(DEFAULT_ONLINE_OPTIONS.refitEvery),
  refitHistory: String(DEFAULT_ONLINE_OPTIONS.refitHistory),
  horizon: String(DEFAULT_ONLINE_OPTIONS.horizon),
  mergeRows: String(DEFAULT_ONLINE_OPTIONS.mergeRows),
  deviationWindow: String(DEFAULT_ONLINE_OPTIONS.deviationWindow),
};

export function parseContamination(text: string): number | 'auto' {
  if (text === 'auto') {
    return 'auto';
  }
  const read = readContamination(text);
  if ('problem' in read) {
    throw new InputError({ source: '--contamination' }, `must be "auto" or ${read.problem}`);
  }
  return read.value;
}

function parseMaxSamples(text: string): number | 'auto' {
  if (text === 'auto') {
    return 'auto';
  }
  const value = parseNumber('--max-samples', text);
  if (!(value > 0) || (value > 1 && !Number.isInteger(value))) {
    throw new InputError(
      { source: '--max-samples' },
      `must be "auto", a row count (integer >= 1) or a fraction in (0, 1], got ${text}`
    );
  }
  return value;
}

export function parseColumnList(text: string): string[] {
  const names = text.split(',').map((name) => name.trim());
  if (names.some((name) => name === '')) {
    throw new InputError({ source: '--columns' }, `expected comma-separated column names, got "${text}"`);
  }
  // Named twice it would be two metrics of one name, which the engine refuses after the whole input was read.
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) {
    throw new InputError({ source: '--columns' }, `column "${twice}" is named twice in "${text}"`);
  }
  return names;
}

/** `path`, given to `option` for an output; an empty one would write into the current directory, or fail late. */
export function outputPath(option: string, path: string): string {
  if (path.trim() === '') {
    throw new InputError({ source: option }, 'the output path is empty');
  }
  return path;
}

/**
 * A number as people write one: decimal, with an optional exponent. Number() alone also takes 0x10, 0b11 and 0o7
 * (a review: --window 0x10 ran with 16), which no data cell may hold either.
 */
const DECIMAL_NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?\s*$/i;

function parseNumber(option: string, text: string): number {
  const value = Number(text);
  if (!DECIMAL_NUMBER.test(text) || !Number.isFinite(value)) {
    throw new InputError({ source: option }, `expected a number, got "${text}"`);
  }
  return value;
}

export function parseInteger(option: string, text: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const value = parseNumber(option, text);
  if (!Number.isInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InputError({ source: option }, `expected an integer ${range}, got ${text}`);
  }
  return value;
}

function parseFraction(option: string, text: string): number {
  const value = parseNumber(option, text);
  if (!(value > 0 && value <= 1)) {
    throw new InputError({ source: option }, `expected a fraction in (0, 1], got ${text}`);
  }
  return value;
}
