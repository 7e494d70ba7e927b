import { rollingStd } from '../../src/features/rollingStd';
import { decode, expectMatchesPandas, fixture, seriesNames } from './pandasFixture';
import { maxRelativeError, noise, slidingStd } from './slidingReference';

describe('rollingStd (pandas rolling(w).std(), ddof = 1)', () => {
  for (const name of seriesNames) {
    for (const window of Object.keys(fixture.series[name].rolling)) {
      it(`equals pandas (and the exact value) with window ${window} on the ${name} series`, () => {
        const { std, stdExact } = fixture.series[name].rolling[window];
        expectMatchesPandas(rollingStd(decode(fixture.series[name].values), Number(window)), std, stdExact);
      });
    }
  }

  it('uses the sample standard deviation (divisor window - 1)', () => {
    // 1, 2, 3: squared deviations sum to 2; ddof = 1 gives sqrt(2 / 2) = 1 (ddof = 0 would give 0.816…).
    expect(rollingStd(Float64Array.of(1, 2, 3), 3)[2]).toBe(1);
  });

  it('does not drift over a long series with a large offset', () => {
    const values = noise(200_000, 11).map((v) => 1e6 + v);
    expect(maxRelativeError(rollingStd(values, 12), slidingStd(values, 12))).toBeLessThan(1e-10);
  });

  it('stays accurate after a huge spike leaves the window', () => {
    const values = noise(400, 5).map((v) => 1e-3 * v);
    values[100] = 1e9;
    expect(maxRelativeError(rollingStd(values, 12), slidingStd(values, 12))).toBeLessThan(1e-9);
  });

  it('is exactly 0 for a window of identical values, as pandas', () => {
    const values = new Float64Array(20).fill(0.1);
    values[0] = 5;
    expect(rollingStd(values, 7)[19]).toBe(0);
  });

  it('is NaN for a window of 1 (ddof = 1 leaves no degree of freedom)', () => {
    expect(Array.from(rollingStd(Float64Array.of(1, 2), 1))).toEqual([NaN, NaN]);
  });
});
