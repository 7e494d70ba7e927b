/**
 * Duration literals as Prometheus and Grafana's alerting API read them: prometheus/common `model.ParseDuration`
 * (Grafana's `for` and rule-group `interval` fields are `model.Duration`), whose grammar is
 *
 *   ^((\d+)y)?((\d+)w)?((\d+)d)?((\d+)h)?((\d+)m)?((\d+)s)?((\d+)ms)?$   or the lone "0"
 *
 * i.e. units from the largest to the smallest, each at most once: "1h30m" is a duration, "30s1m" and "1m1m" are
 * not (Grafana answers 400). One grammar for the panel's alert form, the anomaly proxy and the CLI.
 */

/** Units with their length in ms, largest first; a year is 365 days and a week 7 (as Prometheus counts). */
export const DURATION_UNITS: ReadonlyArray<readonly [unit: string, ms: number]> = [
  ['y', 365 * 86_400_000],
  ['w', 7 * 86_400_000],
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
  ['ms', 1],
];

const GRAMMAR = new RegExp(`^${DURATION_UNITS.map(([unit]) => `(?:(\\d+)${unit})?`).join('')}$`);

/**
 * "1h30m" → 5_400_000 ms; undefined when the text is not a duration literal of this grammar ("" included), or is
 * one beyond MAX_DURATION_MS (see isDurationOutOfRange).
 */
export function parseDuration(text: string): number | undefined {
  const total = literalMs(text);
  return total !== undefined && total <= MAX_DURATION_MS ? total : undefined;
}

/**
 * The longest duration a literal may spell, as Prometheus' and Grafana's parser allows: what Go's time.Duration
 * holds (int64 nanoseconds, ~292 years), in whole ms. model.ParseDuration answers "duration out of range" beyond.
 */
export const MAX_DURATION_MS = 9_223_372_036_854;

/** Whether `text` is a duration literal of this grammar that spells more than MAX_DURATION_MS ("9999999999999d"). */
export function isDurationOutOfRange(text: string): boolean {
  const total = literalMs(text);
  return total !== undefined && !(total <= MAX_DURATION_MS);
}

/** The literal's milliseconds as spelt (possibly beyond MAX_DURATION_MS); undefined when it is not a literal. */
function literalMs(text: string): number | undefined {
  if (text === '0') {
    return 0;
  }
  const match = text === '' ? null : GRAMMAR.exec(text);
  if (!match) {
    return undefined;
  }
  let total = 0;
  DURATION_UNITS.forEach(([, size], i) => {
    if (match[i + 1] !== undefined) {
      total += Number(match[i + 1]) * size;
    }
  });
  return total;
}

/** Units formatDuration writes: days at most, so the text also reads as an InfluxQL duration (which has no y). */
const FORMAT_UNITS = DURATION_UNITS.filter(([unit]) => unit !== 'y' && unit !== 'w');

/**
 * Milliseconds → the exact literal with the largest units first (90 min → "1h30m", 7 days → "7d"); 0 → "0s".
 * The result parses back with parseDuration (and in PromQL, InfluxQL and Grafana's API) to the same value.
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`a duration must be a whole, non-negative number of milliseconds, got ${ms}`);
  }
  if (ms === 0) {
    return '0s';
  }
  let rest = ms;
  let text = '';
  for (const [unit, size] of FORMAT_UNITS) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return text;
}
