/**
 * Timestamp parsing for every input format. Accepted:
 * - ISO-8601 dates with `T` or a space before the time, optional seconds and fractional seconds, and an optional
 *   zone (`Z`, `+02:00`, `+0200`, `+02`); without a zone the time is UTC. `t` and `z` may be lowercase, as RFC 3339
 *   (section 5.6) allows.
 * - Epoch numbers (or numeric strings): below 1e11 they are seconds (1e11 s is the year 5138), from 1e11 on
 *   milliseconds (1e11 ms is 1973-03-03), so second and millisecond timestamps of any realistic date are told apart.
 */

/** Epoch values at or above this are milliseconds, below it seconds. */
export const EPOCH_MILLISECONDS_FROM = 1e11;

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Epoch milliseconds of a timestamp cell, or NaN when it is not a timestamp in one of the accepted forms. */
export function parseTimestamp(cell: string | number): number {
  if (typeof cell === 'number') {
    return epochToMilliseconds(cell);
  }
  if (isDigits(cell)) {
    return epochToMilliseconds(Number(cell)); // the common epoch case, without trimming and matching
  }
  const text = cell.trim();
  if (EPOCH_PATTERN.test(text)) {
    return epochToMilliseconds(Number(text));
  }
  const match = ISO_PATTERN.exec(text);
  if (!match) {
    return NaN;
  }
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) {
    return NaN;
  }
  const fractionMs = fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  return Date.UTC(y, mo - 1, d, h, mi, s) + fractionMs - zoneOffsetMs(zone);
}

function isDigits(text: string): boolean {
  if (text.length === 0 || text.length > 16) {
    return false;
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 48 || code > 57) {
      return false;
    }
  }
  return true;
}

export function epochToMilliseconds(value: number): number {
  if (!Number.isFinite(value)) {
    return NaN;
  }
  return Math.abs(value) < EPOCH_MILLISECONDS_FROM ? value * 1000 : value;
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function zoneOffsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z') {
    return 0;
  }
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return sign * (hours * 60 + minutes) * 60_000;
}

const DAY_MS = 86_400_000;
/** Dates from 1970 to 9999, whole milliseconds: what toISOString writes as YYYY-MM-DDTHH:MM:SS.mmmZ. */
const FAST_FORMAT_BELOW_MS = 253_402_300_800_000;
/** Characters of an ISO timestamp in the fast range. */
export const TIMESTAMP_LENGTH = 24;
const ZERO = 48;
/** The date part (YYYY-MM-DDT) of the last day written, as bytes: output rows come in time order. */
let cachedDay = NaN;
const cachedDate = new Uint8Array(11);
const scratch = Buffer.alloc(TIMESTAMP_LENGTH);

/**
 * Writes the ISO-8601 UTC text of epoch milliseconds (exactly Date#toISOString) into `target` at `at` and returns
 * the position after it. Dates from 1970 to 9999 in whole milliseconds (every real timestamp) are written digit by
 * digit with the date part reused while the day does not change; other values through toISOString.
 */
export function writeTimestamp(ms: number, target: Uint8Array, at: number): number {
  if (!(ms >= 0 && ms < FAST_FORMAT_BELOW_MS) || !Number.isInteger(ms)) {
    const text = new Date(ms).toISOString();
    for (let i = 0; i < text.length; i++) {
      target[at++] = text.charCodeAt(i);
    }
    return at;
  }
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    const date = new Date(day * DAY_MS).toISOString();
    for (let i = 0; i < 11; i++) {
      cachedDate[i] = date.charCodeAt(i);
    }
  }
  target.set(cachedDate, at);
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  target[at + 11] = ZERO + Math.floor(hours / 10);
  target[at + 12] = ZERO + (hours % 10);
  target[at + 13] = 58; // :
  target[at + 14] = ZERO + Math.floor(minutes / 10);
  target[at + 15] = ZERO + (minutes % 10);
  target[at + 16] = 58;
  target[at + 17] = ZERO + Math.floor(seconds / 10);
  target[at + 18] = ZERO + (seconds % 10);
  target[at + 19] = 46; // .
  target[at + 20] = ZERO + Math.floor(millis / 100);
  target[at + 21] = ZERO + (Math.floor(millis / 10) % 10);
  target[at + 22] = ZERO + (millis % 10);
  target[at + 23] = 90; // Z
  return at + TIMESTAMP_LENGTH;
}

/** ISO-8601 UTC text of epoch milliseconds, as every output file writes timestamps: exactly Date#toISOString. */
export function formatTimestamp(ms: number): string {
  if (!(ms >= 0 && ms < FAST_FORMAT_BELOW_MS) || !Number.isInteger(ms)) {
    return new Date(ms).toISOString();
  }
  writeTimestamp(ms, scratch, 0);
  return scratch.toString('latin1', 0, TIMESTAMP_LENGTH);
}
