import { SlidingScoreHistory } from '../../src/online/slidingScoreHistory';

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
});
