/**
 * A column that varies, but by less than the engine can tell from no variation at all: a legitimate series in tiny
 * units (1e-15). The engine's standard scaler gives a feature whose standard deviation is below 10 × machine epsilon
 * (2.2e-15) the scale 1 instead of its deviation, and a tree node treats a feature as constant when its values span
 * at most 1e-7 (scikit-learn's FEATURE_THRESHOLD); so such a column is never split on, and the model learns nothing
 * from it, silently. The CLI says so (exact constants have their own warning: constantColumns).
 */

/** The scaler's cut-off: a feature with a smaller standard deviation is left unscaled (engine, standardScaler.ts). */
const SCALER_CUTOFF = 10 * Number.EPSILON;
/** A node's tolerance: values spanning at most this much are one value to a tree (engine, isolationForest.ts). */
const FOREST_TOLERANCE = 1e-7;

/** Count, mean, spread (Welford) and range of a column's values (missing ones left out). */
export class ColumnSpread {
  private count = 0;
  private mean = 0;
  private sumOfSquares = 0;
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    if (Number.isNaN(value)) {
      return;
    }
    this.count++;
    const delta = value - this.mean;
    this.mean += delta / this.count;
    this.sumOfSquares += delta * (value - this.mean);
    this.min = Math.min(this.min, value);
    this.max = Math.max(this.max, value);
  }

  static of(values: ArrayLike<number>): ColumnSpread {
    const spread = new ColumnSpread();
    for (let i = 0; i < values.length; i++) {
      spread.add(values[i]);
    }
    return spread;
  }

  /**
   * The measure of this column's variation that the model cannot see ("standard deviation 1.3e-15"), or undefined
   * when it can (or the column is exactly constant).
   * @param raw --raw: features unscaled, so only the forest's tolerance applies
   */
  unseenVariation(raw: boolean): string | undefined {
    const range = this.max - this.min;
    if (this.count < 2 || !(range > 0)) {
      return undefined;
    }
    if (raw) {
      return range <= FOREST_TOLERANCE ? `span ${range.toPrecision(2)}` : undefined;
    }
    const deviation = Math.sqrt(this.sumOfSquares / this.count);
    return deviation < SCALER_CUTOFF ? `standard deviation ${deviation.toPrecision(2)}` : undefined;
  }
}

/**
 * The warning for the columns whose variation the model cannot see (see the file comment), if any.
 * @param inGroup '' or `group "x": `
 */
export function unseenVariationWarning(
  names: readonly string[],
  spreads: readonly ColumnSpread[],
  raw: boolean,
  inGroup: string
): string | undefined {
  const columns = names
    .map((name, c) => [name, spreads[c].unseenVariation(raw)] as const)
    .filter(([, measure]) => measure !== undefined)
    .map(([name, measure]) => `"${name}" (${measure})`);
  if (columns.length === 0) {
    return undefined;
  }
  const why = raw
    ? `with --raw a tree takes values within ${FOREST_TOLERANCE} of each other for one value`
    : `the scaler takes a feature whose standard deviation is below ${SCALER_CUTOFF.toPrecision(2)} for a constant`;
  return (
    `${inGroup}column ${columns.join(', ')} varies too little over the training rows for the model to see: ${why}, ` +
    'so it learns nothing from it and will not notice when it changes; record it in smaller units (e.g. multiplied ' +
    'by 1e12)'
  );
}
