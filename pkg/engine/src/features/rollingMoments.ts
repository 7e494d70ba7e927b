import { requireInteger } from './requireInteger';

/** A removal that cancels more than 16 of the 53 bits of the running sum of squares triggers a recompute. */
const CANCELLATION_LIMIT = 2 ** -16;

// Indexes of RollingMoments' running doubles (its `running` array).
/** Subtracted from every value before it enters the sums; the window's mean as of the last recompute. */
const SHIFT = 0;
const SUM = 1;
const SUM_COMPENSATION = 2;
const WELFORD_MEAN = 3;
const SUM_SQUARED_DEVIATIONS = 4;
const NEWEST = 5;
const RUNNING = 6;

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
  /**
   * The running sums, the shift and the newest value (indexes SHIFT … NEWEST) in a typed array, not in fields: V8
   * boxes a double written to an object field in a new heap number (16 bytes a write, about ten a value here: most
   * of the garbage a feature build made, and the young-generation collections it cost); an element is written in place.
   */
  private readonly running = new Float64Array(RUNNING);
  private sinceRecompute = 0;
  /** Length of the run of identical values ending at the newest value (0 after a NaN). */
  private identicalRun = 0;

  constructor(readonly window: number) {
    requireInteger('window', window, 1);
    this.ring = new Float64Array(window);
    this.running[NEWEST] = NaN;
  }

  push(value: number): void {
    const slot = this.pushed % this.window;
    if (this.pushed >= this.window) {
      this.remove(this.ring[slot]);
    }
    this.ring[slot] = value;
    this.pushed++;
    this.add(value);
    this.identicalRun = value === this.running[NEWEST] ? this.identicalRun + 1 : Number.isNaN(value) ? 0 : 1;
    this.running[NEWEST] = value;
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
    const running = this.running;
    if (this.identicalRun >= this.window) {
      return running[NEWEST];
    }
    return running[SHIFT] + (running[SUM] + running[SUM_COMPENSATION]) / this.count;
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
    return Math.sqrt(Math.max(this.running[SUM_SQUARED_DEVIATIONS], 0) / (this.count - 1));
  }

  private add(rawValue: number): void {
    if (Number.isNaN(rawValue)) {
      this.nanCount++;
      return;
    }
    const running = this.running;
    const value = rawValue - running[SHIFT];
    this.count++;
    this.addToSum(value);
    const delta = value - running[WELFORD_MEAN];
    running[WELFORD_MEAN] += delta / this.count;
    running[SUM_SQUARED_DEVIATIONS] += delta * (value - running[WELFORD_MEAN]);
  }

  private remove(rawValue: number): void {
    if (Number.isNaN(rawValue)) {
      this.nanCount--;
      return;
    }
    const running = this.running;
    const value = rawValue - running[SHIFT];
    this.count--;
    this.addToSum(-value);
    if (this.count === 0) {
      running[WELFORD_MEAN] = 0;
      running[SUM_SQUARED_DEVIATIONS] = 0;
      return;
    }
    const delta = value - running[WELFORD_MEAN];
    running[WELFORD_MEAN] -= delta / this.count;
    const removed = delta * (value - running[WELFORD_MEAN]);
    running[SUM_SQUARED_DEVIATIONS] -= removed;
    if (running[SUM_SQUARED_DEVIATIONS] < removed * CANCELLATION_LIMIT) {
      this.sinceRecompute = this.window; // recompute once the new value is in
    }
  }

  /** Neumaier's compensated summation: the rounding error of every addition is kept in sumCompensation. */
  private addToSum(value: number): void {
    const running = this.running;
    const sum = running[SUM];
    const total = sum + value;
    if (Math.abs(sum) >= Math.abs(value)) {
      running[SUM_COMPENSATION] += sum - total + value;
    } else {
      running[SUM_COMPENSATION] += value - total + sum;
    }
    running[SUM] = total;
  }

  private recompute(): void {
    this.sinceRecompute = 0;
    const running = this.running;
    const ring = this.ring;
    const filled = Math.min(this.pushed, this.window);
    // First pass: the mean, which becomes the new shift.
    running[SHIFT] = 0;
    running[SUM] = 0;
    running[SUM_COMPENSATION] = 0;
    for (let i = 0; i < filled; i++) {
      if (!Number.isNaN(ring[i])) {
        this.addToSum(ring[i]);
      }
    }
    if (this.count === 0) {
      running[WELFORD_MEAN] = 0;
      running[SUM_SQUARED_DEVIATIONS] = 0;
      return;
    }
    const shift = (running[SUM] + running[SUM_COMPENSATION]) / this.count;
    running[SHIFT] = shift;
    // Second pass: shifted sum and squared deviations from the shifted mean.
    running[SUM] = 0;
    running[SUM_COMPENSATION] = 0;
    for (let i = 0; i < filled; i++) {
      if (!Number.isNaN(ring[i])) {
        this.addToSum(ring[i] - shift);
      }
    }
    const mean = (running[SUM] + running[SUM_COMPENSATION]) / this.count;
    let squares = 0;
    for (let i = 0; i < filled; i++) {
      const value = ring[i] - shift;
      if (!Number.isNaN(value)) {
        squares += (value - mean) * (value - mean);
      }
    }
    running[WELFORD_MEAN] = mean;
    running[SUM_SQUARED_DEVIATIONS] = squares;
  }
}
