import type { DrawnRef } from '../chartFrames';
import { tooltipSlot } from '../tooltipSlot';

/** A drawn series with points (line values) at `points` slots and marks at `marked` slots, of `slots` in all. */
function series(slots: number, points: number[], marked: number[] = []): DrawnRef {
  const line = new Float64Array(slots).fill(NaN);
  const marks = new Float64Array(slots).fill(NaN);
  points.forEach((slot) => (line[slot] = 10 + slot));
  marked.forEach((slot) => (marks[slot] = 99));
  return { drawn: { line, marks } } as unknown as DrawnRef;
}

describe('tooltipSlot', () => {
  const x = Float64Array.from({ length: 40 }, (_, i) => i * 1000); // a slot a second

  it('is the hovered slot when a series has a point there', () => {
    expect(tooltipSlot(x, [series(40, [10, 20])], [15_000], 10)).toBe(10);
  });

  it('snaps to the nearest point between two, whichever side', () => {
    expect(tooltipSlot(x, [series(40, [10, 20])], [15_000], 13)).toBe(10);
    expect(tooltipSlot(x, [series(40, [10, 20])], [15_000], 17)).toBe(20);
  });

  it("takes any series' point or mark, the nearest of all", () => {
    expect(tooltipSlot(x, [series(40, [0, 30]), series(40, [], [16])], [40_000, 40_000], 14)).toBe(16);
  });

  it('leaves a gap a gap: no point within a series’ span, the hovered slot itself', () => {
    expect(tooltipSlot(x, [series(40, [0, 30])], [5_000], 15)).toBe(15);
    expect(tooltipSlot(x, [series(40, [0, 30]), series(40, [12])], [5_000, 2_000], 15)).toBe(15);
    expect(tooltipSlot(x, [series(40, [0, 30]), series(40, [13])], [5_000, 2_000], 15)).toBe(13);
  });
});
