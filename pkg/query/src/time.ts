/**
 * Durations and timestamps as the Prometheus HTTP API accepts them: durations like `15s`, `1h30m`, `7d` or float
 * seconds; timestamps as RFC 3339 or float unix seconds. All results are milliseconds.
 */

// One duration grammar and format for the panel, the proxy and the CLI (engine src/contract/durations.ts).
import { formatDuration, parseDuration } from '@telemetry-analyzer/engine';

export { formatDuration };

/** A duration for a message: formatDuration's `1d2h`, or plain milliseconds where that cannot say it (a huge span). */
export function describeMs(ms: number): string {
  return Number.isSafeInteger(ms) && ms >= 0 ? formatDuration(ms) : `${ms} ms`;
}

/** A duration as the HTTP API's `step`/`timeout` parameters accept it: a duration literal or float seconds. */
export function parseDurationOrSeconds(text: string): number | undefined {
  const literal = parseDuration(text);
  if (literal !== undefined) {
    return literal;
  }
  if (/^[+]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    // As Prometheus' parseDuration: seconds that overflow Go's int64 nanoseconds (1e300, 1e400) are no duration.
    const seconds = Number(text);
    return seconds * 1e9 < MAX_INT64 ? Math.round(seconds * 1000) : undefined;
  }
  return undefined;
}

/** 2^63, past Go's largest int64 (a time.Duration in nanoseconds). */
const MAX_INT64 = 2 ** 63;

/** RFC 3339 as Go's time.Parse(time.RFC3339Nano) reads it (Prometheus): upper-case T and Z, a zone always. */
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

/**
 * A timestamp as the HTTP API's `time`/`start`/`end` accept it: float unix seconds or RFC 3339 with a day that
 * exists (2026-02-30 is refused, as Prometheus refuses it, where Date.parse would roll it over to March 2), in ms
 * (fractions of a millisecond cut off, as Prometheus does).
 */
export function parseTimestamp(text: string): number | undefined {
  if (/^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/.test(text)) {
    return Math.round(Number(text) * 1000);
  }
  const parts = RFC3339.exec(text);
  if (!parts) {
    return undefined;
  }
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number);
  const [, , , , , , , fraction = '', sign, zoneHours = '0', zoneMinutes = '0'] = parts;
  // The Gregorian calendar repeats every 400 years: the length of a month of `year` is that of 2000 + year % 400.
  const daysInMonth = new Date(Date.UTC(2000 + (year % 400), month, 0)).getUTCDate();
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  if (Number(zoneMinutes) > 59) {
    return undefined;
  }
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, Number(fraction.padEnd(3, '0').slice(0, 3)));
  const offsetMs = (Number(zoneHours) * 60 + Number(zoneMinutes)) * 60_000 * (sign === '-' ? -1 : 1);
  return date.getTime() - offsetMs;
}
