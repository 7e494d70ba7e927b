import { createRandom } from '../../src/random';
import { SlidingScoreHistory } from '../../src/online/slidingScoreHistory';

/** The history's answers worked out from its window of scores directly (BINS equal bins, mid-rank within a bin). */
function fromWindow(window: number[], score: number) {
  const bins = 4096;
  const binOf = (s: number) => (Number.isNaN(s) ? 0 : Math.min(bins - 1, Math.max(0, Math.floor(s * bins))));
  const bin = binOf(score);
  const beaten = window.filter((s) => binOf(s) < bin).length + window.filter((s) => binOf(s) === bin).length / 2;
  const sortedBins = window.map(binOf).sort((a, b) => a - b);
  return {
    rank: window.length === 0 ? 0 : beaten / window.length,
    standing: beaten / (window.length + 1),
    max: window.length === 0 ? -Infinity : Math.max(...window),
    median: window.length === 0 ? 0 : (sortedBins[Math.ceil(window.length / 2) - 1] + 0.5) / bins,
  };
}

describe('SlidingScoreHistory', () => {
  it('ranks a score by the share of remembered scores it beats, and stands it among them and itself', () => {
    const history = new SlidingScoreHistory(100);
    expect(history.rank(0.5)).toBe(0);
    expect(history.standing(0.5)).toBe(0);
    for (let i = 0; i < 20; i++) {
      history.push(i / 40); // 0 .. 0.475
    }
    expect(history.rank(0.9)).toBe(1);
    // Beating all 20 stands at 20 / 21: a short history cannot place a score beyond what it can tell.
    expect(history.standing(0.9)).toBeCloseTo(20 / 21, 12);
    expect(history.rank(0.2)).toBeCloseTo(8.5 / 20, 12); // 8 below, 1 in its bin (mid-rank)
    expect(history.standing(0.2)).toBeCloseTo(8.5 / 21, 12);
  });

  it('forgets the oldest beyond its horizon, for ranks and the maximum alike', () => {
    const history = new SlidingScoreHistory(10);
    for (let i = 0; i < 30; i++) {
      history.push(i < 10 ? 0.9 : 0.1 + i / 1000);
    }
    expect(history.size).toBe(10);
    expect(history.max).toBeCloseTo(0.129, 12);
    expect(history.rank(0.5)).toBe(1);
    expect(history.standing(0.5)).toBeCloseTo(10 / 11, 12);
  });

  it.each([1, 2, 7, 100])(
    'answers as its last %i scores do, through rises, falls, repeats and scores beyond [0, 1]',
    (horizon) => {
      const random = createRandom(horizon);
      const history = new SlidingScoreHistory(horizon);
      const scores: number[] = [];
      for (let i = 0; i < 3000; i++) {
        // Stretches that fall (every score a new tail of the maxima), rise, repeat one value, or jump about.
        const phase = Math.floor(i / 150) % 4;
        const score =
          phase === 0
            ? 1 - (i % 150) / 150
            : phase === 1
              ? (i % 150) / 150
              : phase === 2
                ? 0.25
                : 1.2 * random.nextFloat() - 0.1;
        const probe = random.nextFloat();
        const window = scores.slice(-horizon);
        const expected = fromWindow(window, probe);
        expect([history.rank(probe), history.standing(probe), history.max, history.median()]).toEqual([
          expected.rank,
          expected.standing,
          expected.max,
          expected.median,
        ]);
        history.push(score);
        scores.push(score);
      }
    }
  );

  it('counts a NaN in the lowest bin, and keeps answering once NaNs leave the window (a NaN bin once hung push)', () => {
    const history = new SlidingScoreHistory(3);
    const scores = [0.5, NaN, 0.7, NaN, NaN, 0.2, 0.9, 0.4, 0.6];
    scores.forEach((score, i) => {
      history.push(score);
      const window = scores.slice(Math.max(0, i - 2), i + 1);
      const expected = fromWindow(window, 0.55);
      expect([history.rank(0.55), history.standing(0.55), history.median()]).toEqual([
        expected.rank,
        expected.standing,
        expected.median,
      ]);
    });
    expect(history.max).toBe(0.9);
  });
});
