/**
 * The series chart's y axes: one per unit (and Min/Max), as Grafana's time series panel makes them, so that a CPU
 * share, a byte count and a latency drawn together each get an axis of their own instead of all but the largest
 * lying flat at the bottom of one axis.
 *
 * Grafana keys a series' scale by its unit, Min, Max and custom axis options (buildScaleKey in
 * packages/grafana-ui/src/components/uPlot, @internal there, so not imported); this panel has no custom axis options,
 * so its key is the unit, Min and Max. The first axis is on the left, the others on the right
 * (UPlotConfigBuilder.addAxis with AxisPlacement.Auto), and the legend lists the right axes' series apart.
 */

/** What a drawn series' axis depends on (its field's config). */
export interface AxisSource {
  unit?: string;
  min?: number | null;
  max?: number | null;
}

export interface YAxisGroup<Source extends AxisSource> {
  /** The first series' source of the axis: its unit and decimals label the ticks, its Min and Max fix the ends. */
  source: Source;
  /** The axis' fixed ends (either or both), else fitted to its series. */
  range?: { min?: number; max?: number };
}

export interface YAxes<Source extends AxisSource> {
  axes: Array<YAxisGroup<Source>>;
  /** Per series (in order), the index of its axis in `axes`. */
  axisOf: number[];
}

/** Grafana's unit when a field sets none (FIXED_UNIT). */
const NO_UNIT = '__fixed';

function keyOf(source: AxisSource): string {
  return JSON.stringify([source.unit ?? NO_UNIT, source.min ?? null, source.max ?? null]);
}

/** The axes of `sources` (one per drawn series, in order), in the order of their first series. */
export function yAxes<Source extends AxisSource>(sources: readonly Source[]): YAxes<Source> {
  const axes: Array<YAxisGroup<Source>> = [];
  const indexOfKey = new Map<string, number>();
  const axisOf = sources.map((source) => {
    const key = keyOf(source);
    let index = indexOfKey.get(key);
    if (index === undefined) {
      index = axes.length;
      indexOfKey.set(key, index);
      const fixed = source.min != null || source.max != null;
      axes.push({
        source,
        range: fixed ? { min: source.min ?? undefined, max: source.max ?? undefined } : undefined,
      });
    }
    return index;
  });
  return { axes, axisOf };
}
