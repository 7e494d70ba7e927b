import { markAnomalies } from '../anomalyMarks';

const series = (
  isAnomaly: number[],
  values = isAnomaly.map((a, i) => (a ? 100 : 10) + i),
  mean = isAnomaly.map(() => 50)
) => ({
  times: isAnomaly.map((_, i) => 1000 * i),
  values,
  rollingMean: mean,
  isAnomaly,
});

describe('markAnomalies', () => {
  it('marks exactly the engine anomalies with the defaults (both directions, runs of 1)', () => {
    const flags = [0, 1, 0, 0, 1, 1, 0, 1];
    const { marked, regions } = markAnomalies(series(flags), { minConsecutive: 1, direction: 'both' });
    expect(Array.from(marked)).toEqual(flags);
    expect(regions.map((r) => [r.start, r.end])).toEqual([
      [1000, 1000],
      [4000, 5000],
      [7000, 7000],
    ]);
  });

  it('drops runs shorter than minConsecutive', () => {
    const { marked, regions } = markAnomalies(series([1, 0, 1, 1, 1, 0, 1, 1]), {
      minConsecutive: 3,
      direction: 'both',
    });
    expect(Array.from(marked)).toEqual([0, 0, 1, 1, 1, 0, 0, 0]);
    expect(regions).toEqual([{ start: 2000, end: 4000, first: 2, last: 4 }]);
  });

  it('keeps only spikes (above the rolling mean) or only dips (below it)', () => {
    const flags = [1, 1, 1, 1];
    const values = [80, 20, 90, NaN];
    const mean = [50, 50, NaN, 50];
    expect(
      Array.from(markAnomalies(series(flags, values, mean), { minConsecutive: 1, direction: 'above' }).marked)
    ).toEqual([1, 0, 0, 0]);
    expect(
      Array.from(markAnomalies(series(flags, values, mean), { minConsecutive: 1, direction: 'below' }).marked)
    ).toEqual([0, 1, 0, 0]);
  });
});
