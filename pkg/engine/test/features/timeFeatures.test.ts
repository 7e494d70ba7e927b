import { timeFeatures } from '../../src/features/timeFeatures';
import { fixture } from './pandasFixture';

describe('timeFeatures (UTC)', () => {
  const timestamps = Float64Array.from(fixture.time.timestampsMs);
  const features = timeFeatures(timestamps);

  it('puts the fractional UTC hour of day (as pandas computes it) on the unit circle', () => {
    fixture.time.hour.forEach((hour, i) => {
      expect(features.hourSin[i]).toBeCloseTo(Math.sin((2 * Math.PI * hour) / 24), 12);
      expect(features.hourCos[i]).toBeCloseTo(Math.cos((2 * Math.PI * hour) / 24), 12);
    });
  });

  it('puts the UTC day of week (as pandas computes it, Sunday = 0) on the unit circle', () => {
    fixture.time.weekdaySundayZero.forEach((weekday, i) => {
      expect(features.weekdaySin[i]).toBeCloseTo(Math.sin((2 * Math.PI * weekday) / 7), 12);
      expect(features.weekdayCos[i]).toBeCloseTo(Math.cos((2 * Math.PI * weekday) / 7), 12);
    });
  });

  it('gives epoch seconds and seconds since the first row', () => {
    const { epochSeconds, relativeSeconds } = timeFeatures(Float64Array.of(1_700_000_000_000, 1_700_000_090_500));
    expect(Array.from(epochSeconds)).toEqual([1_700_000_000, 1_700_000_090.5]);
    expect(Array.from(relativeSeconds)).toEqual([0, 90.5]);
  });

  it('places 18:00 UTC at angle 3π/2 and a Sunday at angle 0, before 1970 too', () => {
    // 1969-12-28 was a Sunday; negative epoch milliseconds must not break the modulo arithmetic.
    const sundayEvening = Date.UTC(1969, 11, 28, 18);
    const { hourSin, hourCos, weekdaySin, weekdayCos } = timeFeatures(Float64Array.of(sundayEvening));
    expect(hourSin[0]).toBeCloseTo(-1, 12);
    expect(hourCos[0]).toBeCloseTo(0, 12);
    expect(weekdaySin[0]).toBe(0);
    expect(weekdayCos[0]).toBe(1);
  });
});
