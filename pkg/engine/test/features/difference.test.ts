import { difference } from '../../src/features/difference';
import { decode, expectMatchesPandas, fixture, seriesNames } from './pandasFixture';

describe('difference (pandas diff)', () => {
  for (const name of seriesNames) {
    for (const k of Object.keys(fixture.series[name].diff)) {
      it(`equals pandas diff(${k}) on the ${name} series`, () => {
        expectMatchesPandas(difference(decode(fixture.series[name].values), Number(k)), fixture.series[name].diff[k]);
      });
    }
  }

  it('defaults to the first difference', () => {
    expect(Array.from(difference(Float64Array.of(1, 4, 9)))).toEqual([NaN, 3, 5]);
  });

  it('subtracts the later value for a negative k', () => {
    expect(Array.from(difference(Float64Array.of(1, 4, 9), -1))).toEqual([-3, -5, NaN]);
  });

  it('refuses a fractional k', () => {
    expect(() => difference(Float64Array.of(1, 2), 0.5)).toThrow('difference k must be an integer, got 0.5');
  });
});
