import { createRandom } from '@telemetry-analyzer/engine';
import { formatTimestamp, parseTimestamp, timestampOrProblem } from '../src/input/timestamp';

describe('parseTimestamp', () => {
  const noon = Date.UTC(2024, 4, 6, 12, 0, 0);

  test.each([
    ['2024-05-06T12:00:00Z', noon],
    ['2024-05-06 12:00:00', noon], // space, no zone = UTC
    ['2024-05-06T12:00', noon],
    ['2024-05-06T14:00:00+02:00', noon],
    ['2024-05-06T07:30:00-0430', noon],
    ['2024-05-06T12:00:00.250Z', noon + 250],
    ['2024-05-06T12:00:00,5', noon + 500],
    ['2024-05-06', Date.UTC(2024, 4, 6)],
    [String(noon / 1000), noon], // epoch seconds
    [String(noon), noon], // epoch milliseconds
    [noon / 1000, noon],
    ['  2024-05-06T12:00:00Z  ', noon],
    ['2024-05-06t12:00:00z', noon], // RFC 3339 5.6: t and z may be lowercase
    ['2024-05-06t14:00:00.000+02:00', noon],
    // Years 0 to 99 are those years, not 1900 to 1999 (as Date.UTC takes them); 0000 is a leap year.
    ['0050-03-01T00:00:00Z', new Date('0050-03-01T00:00:00Z').getTime()],
    ['0000-02-29', new Date('0000-02-29T00:00:00Z').getTime()],
    ['0099-12-31T23:59:59.999Z', new Date('0099-12-31T23:59:59.999Z').getTime()],
    ['2024-05-06T12:00:00+23:59', noon - (23 * 60 + 59) * 60_000],
  ])('%p', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  test('epoch numbers are seconds below 1e11, milliseconds below 1e14, microseconds below 1e17, then nanoseconds', () => {
    expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000);
    expect(parseTimestamp(100_000_000_000)).toBe(100_000_000_000);
    // One moment of 2023 in every unit (before: microseconds and nanoseconds were taken for milliseconds, or refused).
    const ms = 1_700_000_000_123;
    for (const value of [ms / 1000, ms, ms * 1000, ms * 1_000_000, String(ms * 1000), '1700000000123000000']) {
      expect([value, parseTimestamp(value)]).toEqual([value, ms]);
    }
    expect(parseTimestamp(99_999_999_999_999)).toBe(99_999_999_999_999); // the year 5138, in ms
    expect(parseTimestamp(100_000_000_000_000)).toBe(100_000_000_000); // 1973, in µs
  });

  test.each([
    '2024-13-01T00:00:00Z',
    '2024-02-30',
    '2024-05-06T24:00:00Z',
    'yesterday',
    '12:00',
    '2024/05/06',
    'Infinity',
    '',
    '0001-02-29',
    '2024-05-06T12:00:00+99:99',
    '2024-05-06T12:00:00+24:00',
    '2024-05-06T12:00:00-0060',
    '2024-06-30T23:59:60Z',
    '1e300',
  ])('rejects %p', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });

  test.each([
    ['2024-05-06T12:00:00+99:99', 'there is no zone offset +99:99 (hours 00-23, minutes 00-59)'],
    ['2024-06-30T23:59:60Z', 'a leap second (:60) has no epoch time; write it as :59.999 or as the next minute'],
    [
      '1e300',
      /^outside the years 0000 to 9999 that timestamps are written with \(as epoch nanoseconds: far after 9999\)$/,
    ],
    // Before (a review, 2026-12-05): accepted, and written as +011476-…, which no reader took back.
    [
      '300000000000000000000',
      'outside the years 0000 to 9999 that timestamps are written with (as epoch nanoseconds: the year 11476)',
    ],
    [
      '-70000000000000',
      'outside the years 0000 to 9999 that timestamps are written with (as epoch milliseconds: the year -249)',
    ],
    ['0000-01-01T00:30:00+01:00', 'outside the years 0000 to 9999 that timestamps are written with (in UTC)'],
    ['yesterday', /^$/], // no accepted form: the caller says what is
  ])('says why %p is not a timestamp', (cell, reason) => {
    const problem = timestampOrProblem(cell);
    expect(typeof problem).toBe('string');
    expect(problem).toMatch(reason);
  });
});

describe('formatTimestamp', () => {
  test('writes exactly what Date#toISOString writes for whole milliseconds, inside and outside its fast range', () => {
    const random = createRandom(3);
    const special = [
      0, 1, 999, 86_399_999, 86_400_000, -1, -86_400_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15,
    ];
    const values = [...special, ...Array.from({ length: 20_000 }, () => Math.floor((random.nextFloat() - 0.1) * 4e12))];
    const sequential = Array.from({ length: 5000 }, (_, i) => 1.7e12 + i * 15_000 + (i % 7));
    for (const ms of [...values, ...sequential]) {
      expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});

describe('formatTimestamp of sub-millisecond times', () => {
  test('writes the microseconds, so rows less than a millisecond apart keep distinct times', () => {
    expect(formatTimestamp(parseTimestamp('1767225600000300'))).toBe('2026-01-01T00:00:00.000300Z');
    expect(formatTimestamp(parseTimestamp('1767225600000300999'))).toBe('2026-01-01T00:00:00.000301Z');
    expect(formatTimestamp(parseTimestamp('2026-01-01T00:00:00.123456Z'))).toBe('2026-01-01T00:00:00.123456Z');
    expect(formatTimestamp(1.5)).toBe('1970-01-01T00:00:00.001500Z');
    expect(formatTimestamp(-0.5)).toBe('1969-12-31T23:59:59.999500Z');
    // Rounding up to the next millisecond carries into it.
    expect(formatTimestamp(999.9999)).toBe('1970-01-01T00:00:01.000000Z');
  });

  test('reads back (parseTimestamp) to the microsecond, and microsecond epochs 1 us apart stay apart', () => {
    const random = createRandom(11);
    let previous = '';
    for (let i = 0; i < 5000; i++) {
      const micros = 1_767_225_600_000_000 + i;
      const ms = parseTimestamp(String(micros));
      const text = formatTimestamp(ms);
      expect(text).not.toBe(previous);
      expect(Math.abs(parseTimestamp(text) - ms)).toBeLessThanOrEqual(0.0005);
      previous = text;
      // Half a microsecond of rounding, and the double's own resolution far from 1970 (~0.5 us at +-4e12 ms).
      const any = (random.nextFloat() - 0.5) * 8e12;
      expect(Math.abs(parseTimestamp(formatTimestamp(any)) - any)).toBeLessThanOrEqual(0.001);
    }
  });
});
