/**
 * With --raw (features left unscaled), a column that varies, but by less than a tree can tell from no variation at
 * all: a tree node treats a feature as constant when its values span at most 1e-7 (scikit-learn's
 * FEATURE_THRESHOLD), so a legitimate series in tiny units (1e-9) is never split on, and the model learns nothing from
 * it, silently. The CLI says so (exact constants have their own warning: constantColumns). Without --raw the
 * standard scaler brings every non-constant column to unit scale first, as scikit-learn's does, so no such column
 * exists there.
 */

/** A node's tolerance: values spanning at most this much are one value to a tree (engine, isolationForest.ts). */
const FOREST_TOLERANCE = 1e-7;

/** Range of a column's values (missing ones left out). */
export class ColumnRange {
  private min = Infinity;
  private max = -Infinity;

  add(value: number): void {
    if (value < this.min) {
      this.min = value;
    }
    if (value > this.max) {
      this.max = value;
    }
  }

  static of(values: ArrayLike<number>): ColumnRange {
    const range = new ColumnRange();
    for (let i = 0; i < values.length; i++) {
      range.add(values[i]);
    }
    return range;
  }

  /** The span a tree cannot see ("span 2.0e-9"), or undefined when it can (or the column is exactly constant). */
  unseenSpan(): string | undefined {
    const span = this.max - this.min;
    return span > 0 && span <= FOREST_TOLERANCE ? `span ${span.toPrecision(2)}` : undefined;
  }
}

/**
 * The warning for the columns whose variation unscaled (--raw) features hide from the trees, if any.
 * @param inGroup '' or `group "x": `
 */
export function unseenVariationWarning(
  names: readonly string[],
  ranges: readonly ColumnRange[],
  inGroup: string
): string | undefined {
  const columns = names
    .map((name, c) => [name, ranges[c].unseenSpan()] as const)
    .filter(([, span]) => span !== undefined)
    .map(([name, span]) => `"${name}" (${span})`);
  if (columns.length === 0) {
    return undefined;
  }
  return (
    `${inGroup}column ${columns.join(', ')} varies too little over the training rows for the model to see: ` +
    `with --raw a tree takes values within ${FOREST_TOLERANCE} of each other for one value, so it learns nothing ` +
    'from it and will not notice when it changes; leave out --raw, or record it in smaller units (e.g. multiplied ' +
    'by 1e9)'
  );
}
