/**
 * Durations and timestamps as the Prometheus HTTP API accepts them: durations like `15s`, `1h30m`, `7d` or float
 * seconds; timestamps as RFC 3339 or float unix seconds. All results are milliseconds.
 */

import { parseDuration } from '@telemetry-analyzer/engine';

// One duration grammar and format for the panel, the proxy and the CLI (engine src/contract/durations.ts).
export { formatDuration } from '@telemetry-analyzer/engine';

/** A duration as the HTTP API's `step`/`timeout` parameters accept it: a duration literal or float seconds. */
export function parseDurationOrSeconds(text: string): number | undefined {
  const literal = parseDuration(text);
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
