import { lag } from '../../src/features/lag';
import { decode, expectMatchesPandas, fixture, seriesNames } from './pandasFixture';

describe('lag (pandas shift)', () => {
  for (const name of seriesNames) {
    for (const k of Object.keys(fixture.series[name].shift)) {
      it(`equals pandas shift(${k}) on the ${name} series`, () => {
        expectMatchesPandas(lag(decode(fixture.series[name].values), Number(k)), fixture.series[name].shift[k]);
      });
    }
  }

  it('shifts backwards for a negative k and leaves k = 0 unchanged', () => {
    const values = Float64Array.of(1, 2, 3);
    expect(Array.from(lag(values, -1))).toEqual([2, 3, NaN]);
    expect(Array.from(lag(values, 0))).toEqual([1, 2, 3]);
  });

  it('is all NaN when k exceeds the length', () => {
    expect(Array.from(lag(Float64Array.of(1, 2), 5))).toEqual([NaN, NaN]);
  });

  it('refuses a fractional k', () => {
    expect(() => lag(Float64Array.of(1, 2), 1.5)).toThrow('lag k must be an integer, got 1.5');
  });
});
