/**
 * Durations and timestamps as the Prometheus HTTP API accepts them: durations like `15s`, `1h30m`, `7d` or float
 * seconds; timestamps as RFC 3339 or float unix seconds. All results are milliseconds.
 */

const DURATION_UNIT_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
  y: 365 * 86_400_000,
};

/** A Prometheus duration literal: one or more `<int><unit>` parts, units ms, s, m, h, d, w, y. */
export const DURATION_PATTERN = /^(?:\d+(?:ms|s|m|h|d|w|y))+$/;

/** Parses `1h30m`, `15s`, `500ms`; returns undefined when the text is not a duration literal. */
export function parseDurationLiteral(text: string): number | undefined {
  if (!DURATION_PATTERN.test(text)) {
    return undefined;
  }
  let total = 0;
  for (const part of text.matchAll(/(\d+)(ms|s|m|h|d|w|y)/g)) {
    total += Number(part[1]) * DURATION_UNIT_MS[part[2]];
  }
  return total;
}

/** A duration as the HTTP API's `step`/`timeout` parameters accept it: a duration literal or float seconds. */
export function parseDurationOrSeconds(text: string): number | undefined {
  const literal = parseDurationLiteral(text);
  if (literal !== undefined) {
    return literal;
  }
  if (/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  return undefined;
}

/** A timestamp as the HTTP API's `time`/`start`/`end` accept it: float unix seconds or RFC 3339. */
export function parseTimestamp(text: string): number | undefined {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  // RFC 3339 requires a date, a time and a zone; Date.parse alone would also accept looser forms.
  if (/^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(text)) {
    const ms = Date.parse(text);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}

/** Formats milliseconds as the shortest duration literal (for InfluxQL `$interval` and messages). */
export function formatDuration(ms: number): string {
  if (ms % 1000 !== 0) {
    return `${ms}ms`;
  }
  return `${ms / 1000}s`;
}
