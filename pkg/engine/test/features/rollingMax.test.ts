import { rollingMax } from '../../src/features/rollingMax';
import { decode, expectMatchesPandas, fixture, seriesNames } from './pandasFixture';
import { noise, slidingMax } from './slidingReference';

describe('rollingMax (pandas rolling(w).max())', () => {
  for (const name of seriesNames) {
    for (const window of Object.keys(fixture.series[name].rolling)) {
      it(`equals pandas with window ${window} on the ${name} series`, () => {
        expectMatchesPandas(
          rollingMax(decode(fixture.series[name].values), Number(window)),
          fixture.series[name].rolling[window].max
        );
      });
    }
  }

  it.each([1, 2, 3, 12, 50])('equals a brute-force scan with window %i on noisy data with NaNs and ties', (window) => {
    // Rounded noise repeats values often, so ties between the deque and new values occur.
    const values = noise(2_000, window).map((v) => Math.round(v * 8) + 0); // + 0 turns -0 into 0: Math.min/max order them, the deque treats them as equal
    for (const gap of [17, 18, 600, 1500]) {
      values[gap] = NaN;
    }
    expect(Array.from(rollingMax(values, window))).toEqual(Array.from(slidingMax(values, window)));
  });

  it('is NaN everywhere when the window is longer than the series', () => {
    expect(Array.from(rollingMax(Float64Array.of(1, 2, 3), 4))).toEqual([NaN, NaN, NaN]);
  });
});
