/**
 * How far a value lies from the values before it: |x - mean| / std over the previous `window` values (not
 * including x; sample std, ddof = 1), mapped to [0, 1) as z / (1 + z). A second, forest-free signal for the
 * online score: a level shift or a spike against the recent past, which a forest trained long ago may rate as
 * ordinary (see docs/detection.md for what it adds on NAB).
 *
 * pandas semantics of `rolling(window, min_periods).mean().shift(1)`: undefined (0 here) until `minPeriods` values
 * were seen; a window of identical values has std 0, where the deviation is taken as 0 (no spread to measure by).
 *
 * Numerics: values are shifted by a reference (the window's mean at the last recompute) before they enter the
 * running sums, and the sums are recomputed from the window every `window` values, so rounding cannot build up.
 */
export class TrailingDeviation {
  private readonly ring: Float64Array;
  private pushed = 0;
  private count = 0;
  private reference = 0;
  private sum = 0;
  private sumSquares = 0;
  private sinceRecompute = 0;

  constructor(
    readonly window: number,
    readonly minPeriods = Math.min(20, window)
  ) {
    if (!Number.isInteger(window) || window < 2) {
      throw new RangeError(`deviation window must be an integer >= 2, got ${window}`);
    }
    this.ring = new Float64Array(window);
  }

  /** The deviation of `value` from the values pushed before it, in [0, 1). */
  deviation(value: number): number {
    if (this.count < this.minPeriods) {
      return 0;
    }
    const mean = this.sum / this.count;
    const variance = (this.sumSquares - this.count * mean * mean) / (this.count - 1);
    if (!(variance > 0)) {
      return 0;
    }
    const z = Math.abs(value - this.reference - mean) / Math.sqrt(variance);
    return z / (1 + z);
  }

  push(value: number): void {
    const slot = this.pushed % this.window;
    if (this.count === this.window) {
      const old = this.ring[slot] - this.reference;
      this.sum -= old;
      this.sumSquares -= old * old;
    } else {
      this.count++;
    }
    this.ring[slot] = value;
    this.pushed++;
    const shifted = value - this.reference;
    this.sum += shifted;
    this.sumSquares += shifted * shifted;
    if (++this.sinceRecompute >= this.window) {
      this.recompute();
    }
  }

  private recompute(): void {
    let total = 0;
    for (let i = 0; i < this.count; i++) {
      total += this.ring[i];
    }
    this.reference = total / this.count;
    this.sum = 0;
    this.sumSquares = 0;
    for (let i = 0; i < this.count; i++) {
      const shifted = this.ring[i] - this.reference;
      this.sum += shifted;
      this.sumSquares += shifted * shifted;
    }
    this.sinceRecompute = 0;
  }
}
