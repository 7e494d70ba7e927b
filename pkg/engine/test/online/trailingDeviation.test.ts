import { ORDINARY_Z, TrailingDeviation } from '../../src/online/trailingDeviation';
import { createRandom } from '../../src/random';

/** A deviation of `window` with `values` pushed. */
function after(values: number[], window = 500): TrailingDeviation {
  const deviation = new TrailingDeviation(window);
  values.forEach((value) => deviation.push(value));
  return deviation;
}

describe('TrailingDeviation', () => {
  it('is z / (1 + z) of the value against the window before it (sample std)', () => {
    const random = createRandom(3);
    const values = Array.from({ length: 200 }, () => 50 + 10 * random.nextFloat());
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
    const deviation = after(values, 200);
    for (const value of [mean + 3 * std, mean - 0.8 * std, mean + 50 * std]) {
      const z = Math.abs(value - mean) / std;
      expect(deviation.deviation(value)).toBeCloseTo(z / (1 + z), 9);
    }
  });

  it('a value that breaks a constant window deviates 1; the same value again 0', () => {
    // A counter that stayed 0: the first error is the event (it deviated 0 before, and the rows after it were flagged).
    const zeros = after(new Array(300).fill(0));
    expect(zeros.deviation(1)).toBe(1);
    expect(zeros.deviation(-1e-9)).toBe(1);
    expect(zeros.deviation(0)).toBe(0);
    // Whatever the constant, and rounding in the running sums aside (0.1 does not add up exactly).
    const tenths = after(new Array(1234).fill(0.1));
    expect(tenths.deviation(0.1)).toBe(0);
    expect(tenths.deviation(0.2)).toBe(1);
  });

  it(`ordinary values after a few events in a constant window deviate 0 (z below ${ORDINARY_Z}), the next event a lot`, () => {
    const series = new Array(500).fill(0);
    series[100] = 1;
    series[300] = 3;
    const deviation = after(series);
    expect(deviation.deviation(0)).toBe(0); // z = 0.15: before, it beat every 0 before it, and was flagged
    expect(deviation.deviation(1)).toBeGreaterThan(0.85);
  });

  it('gives 0 until it has seen minPeriods values', () => {
    const deviation = after([1, 2, 3], 50);
    expect(deviation.minPeriods).toBe(20);
    expect(deviation.deviation(1000)).toBe(0);
  });
});
