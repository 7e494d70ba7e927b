import { requireInteger } from './requireInteger';

/** A removal that cancels more than 16 of the 53 bits of the running sum of squares triggers a recompute. */
const CANCELLATION_LIMIT = 2 ** -16;

/**
 * Mean and sample standard deviation (ddof = 1) of the last `window` values of a stream: O(1) per value, plus an
 * O(window) recompute every `window` values (so O(n) over a series) and after a removal that cancels the sum of
 * squares (a spike leaving the window; rare in real data). rollingMean and rollingStd run a whole series through it, the online scorer one value at a time:
 * the same values in the same order go through the same arithmetic, so streaming and batch agree bit for bit.
 *
 * pandas semantics with its default `min_periods = window`: NaN until `window` values were pushed, NaN while a
 * NaN is inside the window, and a window of identical values has exactly that mean and std 0 (pandas GH#42064).
 *
 * Numerics: every value is first shifted by a reference near the window's mean (`shift`), so that offsets like
 * 1e6 + small noise do not cost precision; the shifted values feed a compensated (Neumaier) sum for the mean and
 * Welford's add/remove for the sum of squared deviations. Both, and the reference, are recomputed from the window
 * itself (two passes) every `window` values, so rounding cannot build up over long series, and right after a
 * removal that cancels most of the sum of squares (a spike leaving the window), where Welford's update loses
 * precision. This keeps ~1e-11 relative accuracy where pandas' own unshifted Welford update loses ~1e-8.
 */
export class RollingMoments {
  private readonly ring: Float64Array;
  private pushed = 0;
  private nanCount = 0;
  /** Non-NaN values in the window. */
  private count = 0;
  /** Subtracted from every value before it enters the sums; the window's mean as of the last recompute. */
  private shift = 0;
  private sum = 0;
  private sumCompensation = 0;
  private welfordMean = 0;
  private sumSquaredDeviations = 0;
  private sinceRecompute = 0;
  /** Length of the run of identical values ending at the newest value (0 after a NaN). */
  private identicalRun = 0;
  private newest = NaN;

  constructor(readonly window: number) {
    requireInteger('window', window, 1);
    this.ring = new Float64Array(window);
  }

  push(value: number): void {
    const slot = this.pushed % this.window;
    if (this.pushed >= this.window) {
      this.remove(this.ring[slot]);
    }
    this.ring[slot] = value;
    this.pushed++;
    this.add(value);
    this.identicalRun = value === this.newest ? this.identicalRun + 1 : Number.isNaN(value) ? 0 : 1;
    this.newest = value;
    if (++this.sinceRecompute >= this.window) {
      this.recompute();
    }
  }

  /** True when the window holds `window` values and none is NaN. */
  get full(): boolean {
    return this.pushed >= this.window && this.nanCount === 0;
  }

  mean(): number {
    if (!this.full) {
      return NaN;
    }
    if (this.identicalRun >= this.window) {
      return this.newest;
    }
    return this.shift + (this.sum + this.sumCompensation) / this.count;
  }

  /**
   * mean() and std() into mean[at] and std[at]: for hosts filling whole series, without a number object per value
   * (a double returned from a call that is not inlined is boxed; these stay in the typed arrays).
   */
  readInto(mean: Float64Array, std: Float64Array, at: number): void {
    mean[at] = this.mean();
    std[at] = this.std();
  }

  /** Sample standard deviation, ddof = 1 (pandas' default); NaN for a window of 1. */
  std(): number {
    if (!this.full || this.window < 2) {
      return NaN;
    }
    if (this.identicalRun >= this.window) {
      return 0;
    }
    return Math.sqrt(Math.max(this.sumSquaredDeviations, 0) / (this.count - 1));
  }

  private add(rawValue: number): void {
    if (Number.isNaN(rawValue)) {
      this.nanCount++;
      return;
    }
    const value = rawValue - this.shift;
    this.count++;
    this.addToSum(value);
    const delta = value - this.welfordMean;
    this.welfordMean += delta / this.count;
    this.sumSquaredDeviations += delta * (value - this.welfordMean);
  }

  private remove(rawValue: number): void {
    if (Number.isNaN(rawValue)) {
      this.nanCount--;
      return;
    }
    const value = rawValue - this.shift;
    this.count--;
    this.addToSum(-value);
    if (this.count === 0) {
      this.welfordMean = 0;
      this.sumSquaredDeviations = 0;
      return;
    }
    const delta = value - this.welfordMean;
    this.welfordMean -= delta / this.count;
    const removed = delta * (value - this.welfordMean);
    this.sumSquaredDeviations -= removed;
    if (this.sumSquaredDeviations < removed * CANCELLATION_LIMIT) {
      this.sinceRecompute = this.window; // recompute once the new value is in
    }
  }

  /** Neumaier's compensated summation: the rounding error of every addition is kept in sumCompensation. */
  private addToSum(value: number): void {
    const total = this.sum + value;
    if (Math.abs(this.sum) >= Math.abs(value)) {
      this.sumCompensation += this.sum - total + value;
    } else {
      this.sumCompensation += value - total + this.sum;
    }
    this.sum = total;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const filled = Math.min(this.pushed, this.window);
    // First pass: the mean, which becomes the new shift.
    this.shift = 0;
    this.sum = 0;
    this.sumCompensation = 0;
    for (let i = 0; i < filled; i++) {
      if (!Number.isNaN(this.ring[i])) {
        this.addToSum(this.ring[i]);
      }
    }
    if (this.count === 0) {
      this.welfordMean = 0;
      this.sumSquaredDeviations = 0;
      return;
    }
    this.shift = (this.sum + this.sumCompensation) / this.count;
    // Second pass: shifted sum and squared deviations from the shifted mean.
    this.sum = 0;
    this.sumCompensation = 0;
    for (let i = 0; i < filled; i++) {
      if (!Number.isNaN(this.ring[i])) {
        this.addToSum(this.ring[i] - this.shift);
      }
    }
    const mean = (this.sum + this.sumCompensation) / this.count;
    let squares = 0;
    for (let i = 0; i < filled; i++) {
      const value = this.ring[i] - this.shift;
      if (!Number.isNaN(value)) {
        squares += (value - mean) * (value - mean);
      }
    }
    this.welfordMean = mean;
    this.sumSquaredDeviations = squares;
  }
}
