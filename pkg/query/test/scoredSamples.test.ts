import type { ScoredTable } from '../src/query/scoreCache';
import { flaggedInRange, samplesInRange } from '../src/query/scoredSamples';

// Rows at 1..6 s; row 0 is warm-up (not scored); threshold 0.6.
const scored: ScoredTable = {
  timestamps: Float64Array.from([1000, 2000, 3000, 4000, 5000, 6000]),
  columns: [Float64Array.from([1, 2, 3, 4, 5, 6])],
  scoredRows: Uint8Array.from([0, 1, 1, 1, 1, 1]),
  scores: Float64Array.from([0, 0.5, 0.7, 0.4, 0.9, 0.3]),
  threshold: 0.6,
};

describe('scored samples', () => {
  it('keeps the scored rows within the range, valued as the function asks', () => {
    const range = [1000, 5000] as const;
    const score = samplesInRange('anomaly_score', scored, ...range);
    expect(Array.from(score.timestamps)).toEqual([2000, 3000, 4000, 5000]);
    expect(Array.from(score.values)).toEqual([0.5, 0.7, 0.4, 0.9]);
    expect(Array.from(samplesInRange('anomaly_flag', scored, ...range).values)).toEqual([0, 1, 0, 1]);
    expect(Array.from(samplesInRange('anomaly_threshold', scored, ...range).values)).toEqual([0.6, 0.6, 0.6, 0.6]);
  });

  it("takes an online detector's own flags over the threshold when given", () => {
    const flags = Uint8Array.from([0, 1, 0, 0, 0, 1]);
    expect(Array.from(samplesInRange('anomaly_flag', scored, 0, 9000, flags).values)).toEqual([1, 0, 0, 0, 1]);
    expect(flaggedInRange(scored, 0, 9000, flags)).toEqual({ flagged: 2, rows: 5 });
  });

  it('counts the flagged share of the scored rows in the range', () => {
    expect(flaggedInRange(scored, 0, 9000)).toEqual({ flagged: 2, rows: 5 });
    expect(flaggedInRange(scored, 4000, 9000)).toEqual({ flagged: 1, rows: 3 });
  });
});
