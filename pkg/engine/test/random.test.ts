import { createRandom } from '@telemetry-analyzer/engine';

function draws(seed: number, count: number): number[] {
  const random = createRandom(seed);
  return Array.from({ length: count }, () => random.nextUint32());
}

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    expect(draws(42, 1000)).toEqual(draws(42, 1000));
    expect(draws(43, 1000)).not.toEqual(draws(42, 1000));
    expect(draws(0, 1000)).not.toEqual(draws(1, 1000));
  });

  it('yields 32-bit unsigned integers using the whole range', () => {
    const values = draws(7, 10000);
    expect(values.every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
    expect(Math.max(...values)).toBeGreaterThan(0.99 * 2 ** 32);
    expect(Math.min(...values)).toBeLessThan(0.01 * 2 ** 32);
  });

  it('nextFloat is in [0, 1) with mean near 1/2', () => {
    const random = createRandom(1);
    let sum = 0;
    for (let i = 0; i < 100000; i++) {
      const value = random.nextFloat();
      if (!(value >= 0 && value < 1)) {
        throw new Error(`nextFloat gave ${value}`);
      }
      sum += value;
    }
    expect(Math.abs(sum / 100000 - 0.5)).toBeLessThan(0.005);
  });

  it('nextInt(n) hits every value in [0, n) about equally often', () => {
    const random = createRandom(3);
    const n = 7;
    const counts = new Array<number>(n).fill(0);
    for (let i = 0; i < 70000; i++) {
      counts[random.nextInt(n)]++;
    }
    // Each count is Binomial(70000, 1/7): mean 10000, sd ~93; 5 sd is a safe bound.
    counts.forEach((count) => expect(Math.abs(count - 10000)).toBeLessThan(470));
  });

  it('rejects seeds that are not 32-bit unsigned integers and bad nextInt bounds', () => {
    expect(() => createRandom(-1)).toThrow(/seed must be an integer/);
    expect(() => createRandom(1.5)).toThrow(/seed must be an integer/);
    expect(() => createRandom(2 ** 32)).toThrow(/seed must be an integer/);
    expect(() => createRandom(1).nextInt(0)).toThrow(/nextInt/);
  });
});
