/**
 * How far a value lies from the values before it: z = |x - mean| / std over the previous `window` values (not
 * including x; sample std, ddof = 1), mapped to [0, 1) as z / (1 + z). A second, forest-free signal for the
 * online score: a level shift or a spike against the recent past, which a forest trained long ago may rate as
 * ordinary (see docs/detection.md for what it adds on NAB).
 *
 * pandas semantics of `rolling(window, min_periods).mean().shift(1)`: undefined (0 here) until `minPeriods` values
 * were seen. Two cases are not measured by z, for series that stay constant for long (error counts, a key held, a
 * stuck sensor, disk writes that are mostly 0), where the calibration compares deviations with long runs of 0:
 *   - a window of identical values (std 0): the same value again deviates 0, any other value 1 (z is infinite: the
 *     value that breaks a constant run is the event; it deviated 0 before, and the rows after it were flagged);
 *   - z below ORDINARY_Z deviates 0: after a few events in a constant window, the ordinary values have a small z
 *     (0.04 after one spike in 500) that beats every 0 before it, and the rows after each event were flagged. Below
 *     the median z of noise (0.67 for a normal series), so the deviations that rank high, and their median, are
 *     those of z itself.
 *
 * Numerics: values are shifted by a reference (the window's mean at the last recompute) before they enter the
 * running sums, and the sums are recomputed from the window every `window` values, so rounding cannot build up.
 */
/** Below this z a value does not deviate (see the file comment). */
export const ORDINARY_Z = 0.5;

// Indexes of TrailingDeviation's running doubles (its `running` array).
const LAST = 0;
const REFERENCE = 1;
const SUM = 2;
const SUM_SQUARES = 3;
const RUNNING = 4;

export class TrailingDeviation {
  private readonly ring: Float64Array;
  private pushed = 0;
  private count = 0;
  /**
   * The last value pushed, the reference and the running sums (indexes LAST … SUM_SQUARES), in a typed array for the
   * reason RollingMoments keeps its own in one: a double written to an object field is boxed anew at every write.
   */
  private readonly running = new Float64Array(RUNNING);
  /** How many values in a row were equal to the last one. */
  private run = 0;
  private sinceRecompute = 0;

  constructor(
    readonly window: number,
    readonly minPeriods = Math.min(20, window)
  ) {
    if (!Number.isInteger(window) || window < 2) {
      throw new RangeError(`deviation window must be an integer >= 2, got ${window}`);
    }
    this.ring = new Float64Array(window);
    this.running[LAST] = NaN;
  }

  /** The deviation of `value` from the values pushed before it, in [0, 1]. */
  deviation(value: number): number {
    if (this.count < this.minPeriods) {
      return 0;
    }
    const running = this.running;
    if (this.run >= this.count) {
      return value === running[LAST] ? 0 : 1; // a constant window: exactly, not through sums that may round
    }
    const mean = running[SUM] / this.count;
    const variance = (running[SUM_SQUARES] - this.count * mean * mean) / (this.count - 1);
    if (!(variance > 0)) {
      return 0;
    }
    const z = Math.abs(value - running[REFERENCE] - mean) / Math.sqrt(variance);
    return z < ORDINARY_Z ? 0 : z / (1 + z);
  }

  push(value: number): void {
    const running = this.running;
    const slot = this.pushed % this.window;
    if (this.count === this.window) {
      const old = this.ring[slot] - running[REFERENCE];
      running[SUM] -= old;
      running[SUM_SQUARES] -= old * old;
    } else {
      this.count++;
    }
    this.ring[slot] = value;
    this.pushed++;
    this.run = value === running[LAST] ? this.run + 1 : 1;
    running[LAST] = value;
    const shifted = value - running[REFERENCE];
    running[SUM] += shifted;
    running[SUM_SQUARES] += shifted * shifted;
    if (++this.sinceRecompute >= this.window) {
      this.recompute();
    }
  }

  private recompute(): void {
    let total = 0;
    for (let i = 0; i < this.count; i++) {
      total += this.ring[i];
    }
    const reference = total / this.count;
    let sum = 0;
    let sumSquares = 0;
    for (let i = 0; i < this.count; i++) {
      const shifted = this.ring[i] - reference;
      sum += shifted;
      sumSquares += shifted * shifted;
    }
    const running = this.running;
    running[REFERENCE] = reference;
    running[SUM] = sum;
    running[SUM_SQUARES] = sumSquares;
    this.sinceRecompute = 0;
  }
}
