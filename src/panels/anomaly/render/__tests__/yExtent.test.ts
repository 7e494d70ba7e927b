import { finiteExtent, paddedYRange } from '../yExtent';

describe('finiteExtent', () => {
  it('skips NaN slots wherever they are, the first one included (uPlot started from it and gave NaN)', () => {
    const x = Float64Array.from([0, 1, 2, 3]);
    expect(finiteExtent([x, Float64Array.from([NaN, 5, NaN, 2]), Float64Array.from([NaN, NaN, 9, NaN])], 1)).toEqual([
      2, 9,
    ]);
    expect(finiteExtent([[null, 3, undefined, -1]])).toEqual([-1, 3]);
  });

  it('is undefined without a finite value', () => {
    expect(finiteExtent([x(), Float64Array.from([NaN, NaN])], 1)).toBeUndefined();
    expect(finiteExtent([[Infinity, -Infinity]])).toBeUndefined();
    expect(finiteExtent([])).toBeUndefined();
  });

  function x() {
    return Float64Array.from([0, 1]);
  }
});

describe('paddedYRange', () => {
  it('pads a tenth of the span on each side, not across 0', () => {
    expect(paddedYRange([10, 20])).toEqual([9, 21]);
    expect(paddedYRange([0.5, 10.5])).toEqual([0, 11.5]);
    expect(paddedYRange([-10.5, -0.5])).toEqual([-11.5, 0]);
    expect(paddedYRange([-5, 5])).toEqual([-6, 6]);
  });

  it('stops at the largest double instead of padding values near it to Infinity', () => {
    expect(paddedYRange([-1e308, 1e308])).toEqual([-Number.MAX_VALUE, Number.MAX_VALUE]);
    expect(paddedYRange([1e307, 1.7e308])).toEqual([0, Number.MAX_VALUE]);
  });

  it('gives a flat line a span, and no values at all [0, 1] padded', () => {
    expect(paddedYRange([7, 7])).toEqual([6.3, 7.7]);
    expect(paddedYRange([0, 0])).toEqual([0, 1]);
    expect(paddedYRange(undefined)).toEqual([0, 1.1]);
  });

  it("keeps the field's Min or Max where it sets one", () => {
    expect(paddedYRange([10, 20], { min: 0 })).toEqual([0, 21]);
    expect(paddedYRange([10, 20], { max: 100 })).toEqual([9, 100]);
    expect(paddedYRange(undefined, { min: 5 })).toEqual([5, 6.1]);
  });
});
