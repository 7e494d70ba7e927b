/**
 * Mirrors prometheus/common model/time.go (ParseDuration, Duration.String), the parser behind Grafana's alert-rule
 * `for` and rule-group `interval` (pkg/services/ngalert/api/tooling/definitions/provisioning_alert_rules.go:
 * `For model.Duration`) and behind PromQL durations: units from the largest to the smallest, each at most once.
 */
import { MAX_DURATION_MS, formatDuration, isDurationOutOfRange, parseDuration } from '../../src/contract/durations';

describe('parseDuration (Prometheus/Grafana duration grammar)', () => {
  it.each([
    ['0', 0],
    ['0s', 0],
    ['500ms', 500],
    ['15s', 15_000],
    ['1m', 60_000],
    ['1h30m', 5_400_000],
    ['1d2h3m4s5ms', 93_784_005],
    ['1w', 604_800_000],
    ['1y', 31_536_000_000],
    ['2y3w', 2 * 31_536_000_000 + 3 * 604_800_000],
  ])('reads %s as %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it.each([
    ['30s1m', 'units out of order'],
    ['1m1m', 'a unit twice'],
    ['1ms1s', 'ms before s'],
    ['', 'empty'],
    ['1', 'a number without unit (only "0" may have none)'],
    ['1.5h', 'a fraction'],
    ['-1m', 'a sign'],
    [' 1m', 'surrounding space'],
    ['1M', 'an unknown unit'],
    ['5 minutes', 'words'],
  ])('refuses %j (%s), as Grafana answers 400', (text) => {
    expect(parseDuration(text)).toBeUndefined();
    expect(isDurationOutOfRange(text)).toBe(false);
  });

  it('refuses a literal beyond MAX_DURATION_MS as out of range, and reads the longest one there is', () => {
    // prometheus/common model.ParseDuration: beyond time.Duration's int64 nanoseconds, "duration out of range".
    for (const text of ['9999999999999d', '106752d', '293y', `${'9'.repeat(400)}s`]) {
      expect(parseDuration(text)).toBeUndefined();
      expect(isDurationOutOfRange(text)).toBe(true);
    }
    const longest = formatDuration(MAX_DURATION_MS);
    expect(parseDuration(longest)).toBe(MAX_DURATION_MS);
    expect(isDurationOutOfRange(longest)).toBe(false);
    expect(longest).toBe('106751d23h47m16s854ms');
    expect(isDurationOutOfRange('106751d23h47m16s855ms')).toBe(true);
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0s'],
    [1, '1ms'],
    [60_000, '1m'],
    [5_400_000, '1h30m'],
    [7 * 86_400_000, '7d'],
    [400 * 86_400_000 + 1001, '400d1s1ms'],
  ])('writes %d ms as %s, which parses back to the same value', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses what is not a whole, non-negative number of ms', () => {
    expect(() => formatDuration(1.5)).toThrow('whole, non-negative number of milliseconds');
    expect(() => formatDuration(-1)).toThrow(RangeError);
  });
});
