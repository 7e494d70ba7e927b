import { createRandom } from '@telemetry-analyzer/engine';
import { formatTimestamp, parseTimestamp } from '../src/input/timestamp';

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
  ])('%p', (text, expected) => {
    expect(parseTimestamp(text)).toBe(expected);
  });

  test('epoch numbers below 1e11 are seconds, from 1e11 on milliseconds', () => {
    expect(parseTimestamp(99_999_999_999)).toBe(99_999_999_999_000);
    expect(parseTimestamp(100_000_000_000)).toBe(100_000_000_000);
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
  ])('rejects %p', (text) => {
    expect(parseTimestamp(text)).toBeNaN();
  });
});

describe('formatTimestamp', () => {
  test('writes exactly what Date#toISOString writes, in any order of days, inside and outside its fast range', () => {
    const random = createRandom(3);
    const special = [
      0, 1, 999, 86_399_999, 86_400_000, -1, -86_400_001, 1.5, -0.5, 253_402_300_799_999, 253_402_300_800_000, 8.64e15,
    ];
    const values = [...special, ...Array.from({ length: 20_000 }, () => Math.floor((random.nextFloat() - 0.1) * 4e12))];
    const sequential = Array.from({ length: 5000 }, (_, i) => 1.7e12 + i * 15_000 + (i % 7));
    for (const ms of [...values, ...sequential]) {
      expect(formatTimestamp(ms)).toBe(new Date(ms).toISOString());
    }
  });
});
