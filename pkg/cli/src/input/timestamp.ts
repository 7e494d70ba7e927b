/**
 * Timestamp parsing for every input format. Accepted:
 * - ISO-8601 dates with `T` or a space before the time, optional seconds and fractional seconds, and an optional
 *   zone (`Z`, `+02:00`, `+0200`, `+02`); without a zone the time is UTC. `t` and `z` may be lowercase, as RFC 3339
 *   (section 5.6) allows.
 * - Epoch numbers (or numeric strings), their unit told by their size: below 1e11 seconds, then milliseconds below
 *   1e14, microseconds below 1e17, nanoseconds from 1e17 on. 1e11 s is the year 5138, and each unit's lower bound is
 *   1973-03-03 in that unit, so the timestamps of any date from 1973 to 5138 are told apart in every unit
 *   (Prometheus and InfluxDB exports write milliseconds and nanoseconds).
 */

/** Epoch values at or above this are milliseconds, below it seconds. */
export const EPOCH_MILLISECONDS_FROM = 1e11;
/** Where microseconds and nanoseconds start (1973-03-03 in each). */
const EPOCH_MICROSECONDS_FROM = 1e14;
const EPOCH_NANOSECONDS_FROM = 1e17;

const ISO_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const EPOCH_PATTERN = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** Epoch milliseconds of a timestamp cell, or NaN when it is not a timestamp in one of the accepted forms. */
export function parseTimestamp(cell: string | number): number {
  const parsed = timestampOrProblem(cell);
  return typeof parsed === 'number' ? parsed : NaN;
}

/**
 * The times a timestamp may be: the years 0000 to 9999, as every output writes them (ISO-8601 with four-digit
 * years). A nanosecond epoch read as milliseconds lands far beyond: written as +011968-…, no reader (this tool's
 * included) took it back (a review, 2026-12-05).
 */
export const FIRST_TIMESTAMP_MS = -62_167_219_200_000; // 0000-01-01T00:00:00.000Z
export const LAST_TIMESTAMP_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

/** Whether epoch milliseconds are within the years 0000 to 9999 (NaN is not). */
export function inTimestampRange(ms: number): boolean {
  return ms >= FIRST_TIMESTAMP_MS && ms <= LAST_TIMESTAMP_MS;
}

const OUT_OF_RANGE = 'outside the years 0000 to 9999 that timestamps are written with';

/**
 * parseTimestamp's epoch milliseconds, or why the cell is not a usable timestamp: a reason for a cell of an
 * accepted form whose value is not a time (month 13, a zone offset +99:99, a leap second, an epoch beyond the
 * dates a Date holds), '' for a cell of no accepted form.
 */
export function timestampOrProblem(cell: string | number): number | string {
  if (typeof cell === 'number') {
    return epochOrProblem(cell);
  }
  if (isDigits(cell)) {
    return epochOrProblem(Number(cell)); // the common epoch case, without trimming and matching
  }
  const text = cell.trim();
  if (EPOCH_PATTERN.test(text)) {
    return epochOrProblem(Number(text));
  }
  const match = ISO_PATTERN.exec(text);
  if (!match) {
    return '';
  }
  const [, year, month, day, hour = '0', minute = '0', second = '0', fraction = '', zone = 'Z'] = match;
  const y = Number(year);
  const mo = Number(month);
  const d = Number(day);
  const h = Number(hour);
  const mi = Number(minute);
  const s = Number(second);
  if (mo < 1 || mo > 12) {
    return `there is no month ${month}`;
  }
  if (d < 1 || d > daysInMonth(y, mo)) {
    return `there is no day ${day} in ${year}-${month}`;
  }
  if (h > 23 || mi > 59) {
    return `there is no time ${hour}:${minute} (hours 00-23, minutes 00-59)`;
  }
  if (s === 60) {
    // A Date has no leap seconds (nor have epoch numbers): :60 has no time of its own to be ordered by.
    return 'a leap second (:60) has no epoch time; write it as :59.999 or as the next minute';
  }
  if (s > 59) {
    return `there is no second ${second} (00-59)`;
  }
  const offset = zoneOffsetMs(zone);
  if (Number.isNaN(offset)) {
    return `there is no zone offset ${zone} (hours 00-23, minutes 00-59)`;
  }
  const fractionMs = fraction === '' ? 0 : Number(`0.${fraction}`) * 1000;
  const ms = utcMs(y, mo - 1, d, h, mi, s) + fractionMs - offset;
  return inTimestampRange(ms) ? ms : `${OUT_OF_RANGE} (in UTC)`;
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
  // Called for every row's timestamp: comparisons, no table lookup.
  const size = Math.abs(value);
  if (size < EPOCH_MILLISECONDS_FROM) {
    return value * 1000;
  }
  if (size < EPOCH_MICROSECONDS_FROM) {
    return value;
  }
  return size < EPOCH_NANOSECONDS_FROM ? value / 1e3 : value / 1e6;
}

/** Epoch milliseconds of an epoch number, or why it is none: outside the years 0000 to 9999. */
function epochOrProblem(value: number): number | string {
  const ms = epochToMilliseconds(value);
  if (Number.isNaN(ms) || inTimestampRange(ms)) {
    return ms; // NaN stays NaN: not a number at all
  }
  return `${OUT_OF_RANGE} (as epoch ${epochUnit(value)}: ${formatRangeEnd(ms)})`;
}

/** The unit an epoch number's size tells (epochToMilliseconds). */
function epochUnit(value: number): string {
  const size = Math.abs(value);
  return size < EPOCH_MILLISECONDS_FROM
    ? 'seconds'
    : size < EPOCH_MICROSECONDS_FROM
      ? 'milliseconds'
      : size < EPOCH_NANOSECONDS_FROM
        ? 'microseconds'
        : 'nanoseconds';
}

/** Where an out-of-range time lies: before 0000 or after 9999, and how far in years when a Date can tell. */
function formatRangeEnd(ms: number): string {
  const year = new Date(ms).getUTCFullYear();
  return Number.isNaN(year) ? (ms > 0 ? 'far after 9999' : 'far before 0000') : `the year ${year}`;
}

/**
 * Date.UTC for any year. Date.UTC takes the years 0 to 99 for 1900 to 1999, so those are computed 400 years later
 * (one whole cycle of the calendar's leap years: 146,097 days) and moved back.
 */
function utcMs(year: number, monthIndex: number, day: number, hour = 0, minute = 0, second = 0): number {
  return year >= 0 && year < 100
    ? Date.UTC(year + 400, monthIndex, day, hour, minute, second) - 146_097 * DAY_MS
    : Date.UTC(year, monthIndex, day, hour, minute, second);
}

/** Days in `month` (1-12) of `year`, leap years counted. */
export function daysInMonth(year: number, month: number): number {
  return new Date(utcMs(year, month, 0)).getUTCDate();
}

/** The zone's offset from UTC, NaN for one beyond 23 hours 59 minutes. */
function zoneOffsetMs(zone: string): number {
  if (zone === 'Z' || zone === 'z') {
    return 0;
  }
  const sign = zone[0] === '-' ? -1 : 1;
  const digits = zone.slice(1).replace(':', '');
  const hours = Number(digits.slice(0, 2));
  const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0;
  return hours > 23 || minutes > 59 ? NaN : sign * (hours * 60 + minutes) * 60_000;
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
    const text = isoText(ms);
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
    return isoText(ms);
  }
  writeTimestamp(ms, scratch, 0);
  return scratch.toString('latin1', 0, TIMESTAMP_LENGTH);
}

/**
 * Below this many milliseconds from 1970 (either way: the year 2255) a time's microseconds are whole numbers a double
 * holds exactly (ms × 1000 < 2^53), so sub-millisecond times are written to the microsecond.
 */
const MICROSECOND_TEXT_BELOW_MS = 9e12;

/**
 * Date#toISOString, but for a time with a fraction of a millisecond (microsecond and nanosecond epochs, ISO times
 * with more than 3 fractional digits) 3 more digits, its microseconds: toISOString would cut them, and the outputs'
 * rows of a series sampled more often than every millisecond would show one time for several rows. An epoch double
 * holds ~0.25 us at today's dates, so the microseconds are rounded, not cut.
 */
function isoText(ms: number): string {
  if (Number.isInteger(ms) || !(Math.abs(ms) < MICROSECOND_TEXT_BELOW_MS)) {
    return new Date(ms).toISOString();
  }
  const micros = Math.round(ms * 1000);
  const wholeMs = Math.floor(micros / 1000);
  const text = new Date(wholeMs).toISOString();
  return `${text.slice(0, -1)}${String(micros - wholeMs * 1000).padStart(3, '0')}Z`;
}
