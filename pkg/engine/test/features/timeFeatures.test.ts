import { sinCosOfTurns } from '../../src/deterministicMath';
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

  it('gives the very doubles of sinCosOfTurns for every row of long series (regular, jittered, before 1970)', () => {
    const minute = 60_000;
    const regular = Float64Array.from({ length: 20_000 }, (_, i) => Date.UTC(2025, 0, 1) + i * minute);
    const jittered = regular.map((t, i) => t + ((i * 7919) % 997) + 0.25);
    const before1970 = regular.map((t) => t - Date.UTC(2026, 0, 1));
    for (const times of [regular, jittered, before1970]) {
      const { hourSin, hourCos, weekdaySin, weekdayCos } = timeFeatures(times);
      times.forEach((ms, i) => {
        const day = Math.floor(ms / 86_400_000);
        const hour = sinCosOfTurns((ms - day * 86_400_000) / 3_600_000 / 24);
        const weekday = sinCosOfTurns(((((day + 4) % 7) + 7) % 7) / 7);
        expect([hourSin[i], hourCos[i], weekdaySin[i], weekdayCos[i]]).toEqual([
          hour.sin,
          hour.cos,
          weekday.sin,
          weekday.cos,
        ]);
      });
    }
  });

  it('gives NaN features for a timestamp that is not finite, as sinCosOfTurns does', () => {
    const { hourSin, hourCos, weekdaySin, weekdayCos } = timeFeatures(Float64Array.of(NaN, Infinity, 0));
    expect([hourSin[0], hourCos[0], weekdaySin[0], weekdayCos[0]]).toEqual([NaN, NaN, NaN, NaN]);
    expect([hourSin[1], weekdaySin[1]]).toEqual([NaN, NaN]);
    expect(weekdaySin[2]).toBe(sinCosOfTurns(4 / 7).sin); // 1970-01-01 was a Thursday
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
