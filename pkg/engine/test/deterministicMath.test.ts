import { exp2, log, sinCosOfTurns } from '../src/deterministicMath';
import { createRandom } from '../src/random';

/** Distance in units in the last place between two doubles of the same sign. */
function ulps(a: number, b: number): number {
  const view = new DataView(new ArrayBuffer(16));
  view.setFloat64(0, a);
  view.setFloat64(8, b);
  return Math.abs(Number(view.getBigInt64(0) - view.getBigInt64(8)));
}

describe('deterministic math (+ − × ÷ only, the same bits in every JavaScript engine)', () => {
  const random = createRandom(17);

  it('log is within 2 ulp of Math.log over the double range, exact at 1, and handles the edges', () => {
    const worst = { ulps: 0, x: 0 };
    for (let i = 0; i < 20000; i++) {
      const x = 10 ** (random.nextFloat() * 600 - 300) * (1 + random.nextFloat());
      const distance = ulps(log(x), Math.log(x));
      if (distance > worst.ulps) {
        Object.assign(worst, { ulps: distance, x });
      }
    }
    for (let n = 1; n <= 10000; n++) {
      expect(ulps(log(n), Math.log(n))).toBeLessThanOrEqual(2);
    }
    expect(worst.ulps).toBeLessThanOrEqual(2);
    expect(log(1)).toBe(0);
    expect(ulps(log(Math.E), 1)).toBeLessThanOrEqual(1);
    expect(ulps(log(5e-324), -744.4400719213812)).toBeLessThanOrEqual(2); // the smallest subnormal
    expect([log(0), log(-1), log(Infinity), log(NaN)]).toEqual([-Infinity, NaN, Infinity, NaN]);
  });

  it('exp2 is within 2 ulp of Math.pow(2, y), exact at integers', () => {
    for (let i = 0; i < 20000; i++) {
      const y = random.nextFloat() * 60 - 50;
      expect(ulps(exp2(y), Math.pow(2, y))).toBeLessThanOrEqual(2);
    }
    for (let k = -1074; k <= 1023; k++) {
      expect(exp2(k)).toBe(Math.pow(2, k));
    }
    expect([exp2(0), exp2(-1), exp2(1025), exp2(-1100), exp2(NaN)]).toEqual([1, 0.5, Infinity, 0, NaN]);
  });

  it('sinCosOfTurns is within 2e-15 of Math.sin/cos (of 2π·turns, itself rounded) and exact at quarter turns', () => {
    for (let i = 0; i < 20000; i++) {
      const turns = random.nextFloat() * 3 - 1;
      const { sin, cos } = sinCosOfTurns(turns);
      expect(Math.abs(sin - Math.sin(2 * Math.PI * turns))).toBeLessThan(2e-15);
      expect(Math.abs(cos - Math.cos(2 * Math.PI * turns))).toBeLessThan(2e-15);
    }
    expect([0, 0.25, 0.5, 0.75, 1].map((t) => sinCosOfTurns(t))).toEqual([
      { sin: 0, cos: 1 },
      { sin: 1, cos: -0 },
      { sin: -0, cos: -1 },
      { sin: -1, cos: 0 },
      { sin: 0, cos: 1 },
    ]);
  });
});
