import { lowerBound, partitionPoint } from '../src/partitionPoint';

/** The same answer by a linear scan. */
function scan(length: number, before: (i: number) => boolean): number {
  let i = 0;
  while (i < length && before(i)) {
    i++;
  }
  return i;
}

describe('partitionPoint (the binary search of the panel and the query layer)', () => {
  it('finds the first index where the test turns false, at every split point and length', () => {
    for (let length = 0; length <= 9; length++) {
      for (let split = 0; split <= length; split++) {
        const before = (i: number) => i < split;
        expect(partitionPoint(length, before)).toBe(split);
      }
    }
  });

  it('lowerBound agrees with a scan on ascending times with repeats, for targets inside, between and outside', () => {
    const times = Float64Array.of(10, 20, 20, 20, 35, 40, 40, 90);
    for (const target of [-1, 10, 15, 20, 21, 35, 39, 40, 41, 90, 91, NaN]) {
      expect(lowerBound(times, target)).toBe(scan(times.length, (i) => times[i] < target));
    }
    expect(lowerBound([], 5)).toBe(0);
  });
});
