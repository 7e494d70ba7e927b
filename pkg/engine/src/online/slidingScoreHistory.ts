/**
 * The last `horizon` scores of one series, asked three things about a new score: which share of them it beats
 * (its rank, or its standing among them and itself), whether it beats them all (the exact maximum) and their
 * median. Scores live in [0, 1].
 *
 * Ranks and the median come from counts per bin (BINS equal bins of [0, 1], a Fenwick tree, O(log BINS) per
 * score); within a bin a score counts as beating half of its bin-mates (mid-rank), so ranks are exact to 1/BINS
 * of the score range. The maximum is exact (a monotonic queue), because "beyond everything seen" is the question
 * the calibrated score's top half answers. Memory: ~2 bytes per remembered score plus 8 KiB.
 */

/** Bins of [0, 1]: rank resolution 1/4096 of the score range, and counts that fit Uint16 up to MAX_HORIZON. */
const BINS = 4096;
/** Uint16 counts per bin. */
export const MAX_HORIZON = 65_535;

export class SlidingScoreHistory {
  /** Fenwick tree over bin counts (1-based). */
  private readonly tree = new Uint16Array(BINS + 1);
  /** Count of each bin (what two prefix sums of the tree differ by: one read instead of a second descent). */
  private readonly binCounts = new Uint16Array(BINS);
  /** Bin of each remembered score, oldest overwritten first. */
  private readonly bins: Uint16Array;
  private count = 0;
  private pushed = 0;
  /** Indices (push order) and values of the decreasing maxima of the remembered scores. */
  private maxIndex: number[] = [];
  private maxValue: number[] = [];
  private maxHead = 0;

  constructor(readonly horizon: number) {
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
      throw new RangeError(`horizon must be an integer from 1 to ${MAX_HORIZON}, got ${horizon}`);
    }
    this.bins = new Uint16Array(horizon);
  }

  /** Scores remembered (at most `horizon`). */
  get size(): number {
    return this.count;
  }

  /** The largest remembered score (-Infinity when empty). */
  get max(): number {
    return this.maxHead < this.maxValue.length ? this.maxValue[this.maxHead] : -Infinity;
  }

  /** Share of the remembered scores that `score` beats, in [0, 1] (mid-rank within its bin); 0 when empty. */
  rank(score: number): number {
    return this.count === 0 ? 0 : this.beaten(score) / this.count;
  }

  /**
   * How many remembered scores `score` beats (mid-rank within its bin), over their count + 1: in [0, 1). Beating
   * all n of them stands at n / (n + 1), where the largest of n + 1 alike scores stands (Weibull's plotting
   * position), so a short history cannot place a score beyond what it can tell: with 20 remembered scores no score
   * stands above 0.953; with 5 000, rank and standing differ by a factor 0.9998.
   */
  standing(score: number): number {
    return this.beaten(score) / (this.count + 1);
  }

  private beaten(score: number): number {
    const bin = binOf(score);
    return this.prefix(bin) + this.binCounts[bin] / 2;
  }

  /** The median's bin centre (0 when empty). */
  median(): number {
    if (this.count === 0) {
      return 0;
    }
    // Smallest bin whose prefix count reaches half: a Fenwick descent.
    let target = Math.ceil(this.count / 2);
    let position = 0;
    for (let step = BINS; step > 0; step >>= 1) {
      const next = position + step;
      if (next <= BINS && this.tree[next] < target) {
        position = next;
        target -= this.tree[next];
      }
    }
    return (position + 0.5) / BINS;
  }

  /** Remembers `score`, forgetting the oldest when `horizon` are remembered. */
  push(score: number): void {
    const slot = this.pushed % this.horizon;
    if (this.count === this.horizon) {
      this.add(this.bins[slot], -1);
    } else {
      this.count++;
    }
    const bin = binOf(score);
    this.bins[slot] = bin;
    this.add(bin, 1);

    const index = this.pushed++;
    while (this.maxValue.length > this.maxHead && this.maxValue[this.maxValue.length - 1] <= score) {
      this.maxValue.pop();
      this.maxIndex.pop();
    }
    this.maxValue.push(score);
    this.maxIndex.push(index);
    while (this.maxIndex[this.maxHead] <= index - this.horizon) {
      this.maxHead++;
    }
    if (this.maxHead > 1024 && this.maxHead * 2 > this.maxValue.length) {
      this.maxValue = this.maxValue.slice(this.maxHead);
      this.maxIndex = this.maxIndex.slice(this.maxHead);
      this.maxHead = 0;
    }
  }

  /** Scores in bins [0, bin). */
  private prefix(bin: number): number {
    let sum = 0;
    for (let i = bin; i > 0; i -= i & -i) {
      sum += this.tree[i];
    }
    return sum;
  }

  private add(bin: number, delta: number): void {
    this.binCounts[bin] += delta;
    for (let i = bin + 1; i <= BINS; i += i & -i) {
      this.tree[i] += delta;
    }
  }
}

function binOf(score: number): number {
  const bin = Math.floor(score * BINS);
  return bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin;
}
