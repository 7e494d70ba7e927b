import { readFileSync } from 'fs';
import { join } from 'path';
import { percentileLinear, rocAuc, spearman } from './stats';

describe('test statistics helpers', () => {
  it('percentileLinear matches numpy.percentile', () => {
    const fixture: { values: number[]; percents: number[]; expected: number[] } = JSON.parse(
      readFileSync(join(__dirname, 'fixtures/percentiles.json'), 'utf8')
    );
    fixture.percents.forEach((percent, i) => {
      expect(percentileLinear(fixture.values, percent)).toBeCloseTo(fixture.expected[i], 13);
    });
  });

  it('spearman is 1 for the same order, -1 for the reverse, and handles ties', () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 45])).toBeCloseTo(1, 12);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 12);
    expect(spearman([1, 1, 2, 3], [5, 5, 6, 7])).toBeCloseTo(1, 12);
  });

  it('rocAuc is 1 for perfect separation, 0 for inverted, 0.5 for all-tied scores', () => {
    expect(rocAuc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9])).toBe(1);
    expect(rocAuc([1, 1, 0, 0], [0.1, 0.2, 0.8, 0.9])).toBe(0);
    expect(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 1, 0, 1], [0.1, 0.3, 0.4, 0.9])).toBe(0.75);
  });
});
