/**
 * The anomaly query language's contract, shared by its writer (the panel's "Create alert rule", which builds
 * `anomaly_flag(...)` expressions) and its reader (the parser in pkg/query/src/query/anomalyQuery.ts, beneath the proxy),
 * and by the CLI: function and option names, the accepted ranges of the options, and the detector defaults that
 * apply when an option is not given. Syntax: docs/proxy.md "Query syntax".
 */
import { DEFAULT_FEATURE_OPTIONS } from '../featureOptions';

export const ANOMALY_FUNCTIONS = ['anomaly_score', 'anomaly_flag', 'anomaly_threshold'] as const;
export type AnomalyFunction = (typeof ANOMALY_FUNCTIONS)[number];

/** Keyword options of an anomaly function, in the order the panel writes them. */
export const ANOMALY_OPTION_NAMES = [
  'contamination',
  'train',
  'train_start',
  'train_end',
  'mode',
  'by',
  'trees',
  'window',
  'lags',
  'seasonality',
  'seed',
  'step',
  'upstream',
  'online',
] as const;
export type AnomalyOptionName = (typeof ANOMALY_OPTION_NAMES)[number];

/** Inclusive [min, max] of the integer options; outside them the proxy answers 400. */
export const ANOMALY_INTEGER_LIMITS = Object.freeze({
  trees: [1, 10_000],
  // A window of 1 would make the rolling std undefined (the engine refuses it, featureOptions.ts).
  window: [2, 10_000],
  lags: [0, 1_000],
  seed: [0, 2 ** 32 - 1],
} as const satisfies Record<string, readonly [number, number]>);
export type AnomalyIntegerOption = keyof typeof ANOMALY_INTEGER_LIMITS;

/**
 * The proxy's default cost limits on option values (limits.maxTrees, maxWindow, maxLags in its config): within
 * ANOMALY_INTEGER_LIMITS, a proxy refuses more unless its operator raised them. The panel warns before it writes an
 * alert rule beyond them (a rule the proxy would answer 400 at every evaluation).
 */
export const DEFAULT_OPTION_COST_LIMITS = Object.freeze({ trees: 1_000, window: 1_440, lags: 100 } as const);

/** contamination is "auto" or a number in (0, CONTAMINATION_MAX]. */
export const CONTAMINATION_MAX = 0.5;

/**
 * A contamination typed by a person (the CLI's --contamination, the panel's field): a share in
 * (0, CONTAMINATION_MAX], a decimal comma read as a point (0,05). What looks like a percentage (5 %, or 5, which is
 * above the largest share) is refused with the share it would be, never guessed: read as 0.5, "5" flagged half the
 * points of a panel without a word (a review). 'auto' is the host's to read first.
 */
export function readContamination(text: string): { value: number } | { problem: string } {
  const trimmed = text.trim();
  const percent = /^(\d+(?:[.,]\d+)?)\s*%$/.exec(trimmed);
  if (percent) {
    const share = asShare(Number(percent[1].replace(',', '.')));
    return { problem: `a share in (0, ${CONTAMINATION_MAX}], not a percentage: ${trimmed} is ${share}` };
  }
  const value = Number(/^\d*,\d+$/.test(trimmed) ? trimmed.replace(',', '.') : trimmed);
  if (trimmed === '' || !Number.isFinite(value)) {
    return { problem: `a share in (0, ${CONTAMINATION_MAX}], got "${trimmed}"` };
  }
  if (value <= 0) {
    return { problem: `a share in (0, ${CONTAMINATION_MAX}]: ${trimmed} is not above 0` };
  }
  if (value > CONTAMINATION_MAX) {
    const asPercent = value <= 100 ? ` (for ${trimmed} % write ${asShare(value)})` : '';
    return { problem: `a share in (0, ${CONTAMINATION_MAX}]: ${trimmed} is above ${CONTAMINATION_MAX}${asPercent}` };
  }
  return { value };
}

/** A percentage as the share it is, without float noise: 0.9 % is 0.009, not 0.009000000000000001. */
function asShare(percent: number): number {
  return Number((percent / 100).toPrecision(12));
}

/**
 * The contamination every host starts from: 1 % of points. Not 'auto' (sklearn's fixed 0.5 threshold), which flags
 * 25-74 % of the points of real series: alerts that would fire most of the time.
 */
export const DEFAULT_CONTAMINATION = 0.01;

/**
 * How series become models, with the same names in every host: 'per-series' gives each series its own model (a
 * series of the panel's query or the proxy's, a metric column of the CLI's input), 'multivariate' one model over
 * the series of a group (the panel's and proxy's `by` label, the CLI's whole row).
 */
export const DETECTION_MODES = ['per-series', 'multivariate'] as const;
export type DetectionMode = (typeof DETECTION_MODES)[number];

/** Names hosts used before they shared DETECTION_MODES, still accepted: the proxy's and the CLI's. */
const DETECTION_MODE_ALIASES: Readonly<Record<string, DetectionMode>> = Object.freeze({
  univariate: 'per-series',
  'per-column': 'per-series',
});

/** The mode `text` names (one of DETECTION_MODES or an earlier name for it); undefined if none. */
export function parseDetectionMode(text: string): DetectionMode | undefined {
  if ((DETECTION_MODES as readonly string[]).includes(text)) {
    return text as DetectionMode;
  }
  return Object.prototype.hasOwnProperty.call(DETECTION_MODE_ALIASES, text) ? DETECTION_MODE_ALIASES[text] : undefined;
}

/**
 * For messages: `per-series or multivariate (univariate and per-column: per-series)`; `quoted` for the query
 * language, where a name with a hyphen is written as a string (`mode="per-series"`).
 */
export function detectionModeChoices(quoted = false): string {
  const spelled = (mode: string) => (quoted && mode.includes('-') ? JSON.stringify(mode) : mode);
  const aliases = Object.keys(DETECTION_MODE_ALIASES).map(spelled).join(' and ');
  return `${DETECTION_MODES.map(spelled).join(' or ')} (${aliases}: ${spelled('per-series')})`;
}

/** A label name (the `by` option's items). */
export const LABEL_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Detector settings when nothing else is said: panel defaults, proxy config defaults, CLI flag defaults. */
export const DEFAULT_DETECTOR_SETTINGS = Object.freeze({
  trees: 100,
  window: DEFAULT_FEATURE_OPTIONS.window,
  lags: DEFAULT_FEATURE_OPTIONS.lags,
  seed: 42,
});

/** Whether `value` is an integer the proxy accepts for `name`. */
export function withinIntegerLimits(name: AnomalyIntegerOption, value: number): boolean {
  const [min, max] = ANOMALY_INTEGER_LIMITS[name];
  return Number.isInteger(value) && value >= min && value <= max;
}
