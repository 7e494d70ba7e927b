import { rollingMean } from '../../src/features/rollingMean';
import { decode, expectMatchesPandas, fixture, seriesNames } from './pandasFixture';
import { maxRelativeError, noise, slidingMean } from './slidingReference';

describe('rollingMean (pandas rolling(w).mean())', () => {
  for (const name of seriesNames) {
    for (const window of Object.keys(fixture.series[name].rolling)) {
      it(`equals pandas with window ${window} on the ${name} series`, () => {
        expectMatchesPandas(
          rollingMean(decode(fixture.series[name].values), Number(window)),
          fixture.series[name].rolling[window].mean
        );
      });
    }
  }

  it('does not drift over a long series with a large offset', () => {
    const values = noise(200_000, 7).map((v) => 1e9 + v);
    expect(maxRelativeError(rollingMean(values, 12), slidingMean(values, 12))).toBeLessThan(1e-12);
  });

  it('stays exact after a huge spike leaves the window', () => {
    const values = noise(400, 3).map((v) => 1e-3 * v);
    values[100] = 1e12;
    expect(maxRelativeError(rollingMean(values, 12), slidingMean(values, 12))).toBeLessThan(1e-9);
  });

  it('gives exactly the value for a window of identical values, as pandas', () => {
    const values = new Float64Array(20).fill(0.1);
    expect(rollingMean(values, 7)[19]).toBe(0.1);
  });

  it('is NaN everywhere when the window is longer than the series', () => {
    expect(Array.from(rollingMean(Float64Array.of(1, 2, 3), 4))).toEqual([NaN, NaN, NaN]);
  });

  it('refuses a window below 1', () => {
    expect(() => rollingMean(Float64Array.of(1), 0)).toThrow('window must be an integer >= 1, got 0');
  });
});
