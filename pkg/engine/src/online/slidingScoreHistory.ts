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

/**
 * Bins of [0, 1]: rank resolution 1/4096 of the score range, and counts that fit Uint16 up to MAX_HORIZON. A power of
 * two: every update path of the Fenwick tree then ends at node BINS (see move).
 */
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
  /** Where the next score goes in `bins` (the oldest one's slot once `horizon` are remembered). */
  private slot = 0;
  /**
   * The decreasing maxima of the remembered scores (a monotonic queue): their values and their slots in `bins`, in
   * a ring of `horizon` entries from `maxHead`, `maxLength` long. Typed arrays: JS arrays of doubles cost a pop and a
   * push per score and a copy now and then (the calibration's largest item in a profile).
   */
  private readonly maxValue: Float64Array;
  private readonly maxSlot: Uint16Array;
  private maxHead = 0;
  private maxLength = 0;

  constructor(readonly horizon: number) {
    if (!Number.isInteger(horizon) || horizon < 1 || horizon > MAX_HORIZON) {
      throw new RangeError(`horizon must be an integer from 1 to ${MAX_HORIZON}, got ${horizon}`);
    }
    this.bins = new Uint16Array(horizon);
    this.maxValue = new Float64Array(horizon);
    this.maxSlot = new Uint16Array(horizon);
  }

  /** Scores remembered (at most `horizon`). */
  get size(): number {
    return this.count;
  }

  /** The largest remembered score (-Infinity when empty). */
  get max(): number {
    return this.maxLength > 0 ? this.maxValue[this.maxHead] : -Infinity;
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
    const { horizon, slot } = this;
    const bin = binOf(score);
    if (this.count === horizon) {
      // The oldest score leaves the slot the new one takes; the queue's head is the oldest maximum.
      this.move(this.bins[slot], bin);
      if (this.maxLength > 0 && this.maxSlot[this.maxHead] === slot) {
        this.maxHead = this.maxHead + 1 === horizon ? 0 : this.maxHead + 1;
        this.maxLength--;
      }
    } else {
      this.count++;
      this.add(bin);
    }
    this.bins[slot] = bin;
    this.slot = slot + 1 === horizon ? 0 : slot + 1;

    // Maxima no larger than the new score can never be the maximum again: dropped from the queue's tail.
    let tail = this.maxHead + this.maxLength - 1;
    while (this.maxLength > 0 && this.maxValue[tail >= horizon ? tail - horizon : tail] <= score) {
      this.maxLength--;
      tail--;
    }
    tail++;
    const at = tail >= horizon ? tail - horizon : tail;
    this.maxValue[at] = score;
    this.maxSlot[at] = slot;
    this.maxLength++;
  }

  /** Scores in bins [0, bin). */
  private prefix(bin: number): number {
    let sum = 0;
    for (let i = bin; i > 0; i -= i & -i) {
      sum += this.tree[i];
    }
    return sum;
  }

  /** Counts one more score in `bin`. */
  private add(bin: number): void {
    this.binCounts[bin]++;
    for (let i = bin + 1; i <= BINS; i += i & -i) {
      this.tree[i]++;
    }
  }

  /**
   * Counts a score of bin `from` as one of bin `to` instead. The two update paths up the tree meet at a common node,
   * after which the -1 and the +1 cancel: only the nodes before it change. They meet at node BINS at the latest
   * (a power of two).
   */
  private move(from: number, to: number): void {
    this.binCounts[from]--;
    this.binCounts[to]++;
    let i = from + 1;
    let j = to + 1;
    while (i !== j) {
      if (i < j) {
        this.tree[i]--;
        i += i & -i;
      } else {
        this.tree[j]++;
        j += j & -j;
      }
    }
  }
}

/**
 * The bin of a score: scores below 0 in the first, from 1 on in the last. NaN (no score: the engine gives none to
 * calibrate, but the class is exported) counts in the first too: a NaN bin would leave the counts and the tree apart,
 * and move() would never reach node BINS.
 */
function binOf(score: number): number {
  const bin = Math.floor(score * BINS);
  return bin >= 0 ? (bin < BINS ? bin : BINS - 1) : 0;
}
