/**
 * Keeps a plottable version of one metric of one group, in bounded memory: every point while the series is short,
 * else per time bucket (one bucket per plot pixel column) only its lowest and highest point, which keeps the
 * shape a line plot would draw, spikes included. Anomalies are kept separately and all of them (ReportCollector).
 * Missing values and gaps in time come out as points with a NaN value (plotted as null: the line breaks there), so
 * the plot does not draw a straight line across data that is not there.
 */

export interface PlotPoint {
  timestampMs: number;
  value: number;
  score: number;
}

export class SeriesSampler {
  private readonly all: PlotPoint[] = [];
  private readonly lows: Array<PlotPoint | undefined>;
  private readonly highs: Array<PlotPoint | undefined>;
  /** Per bucket, the time of its first missing value. */
  private readonly missing: Array<number | undefined>;
  private readonly bucketMs: number;

  /**
   * @param keepAll true when the series has few enough points to plot them all
   * @param buckets number of time buckets for long series
   */
  constructor(
    private readonly keepAll: boolean,
    private readonly firstMs: number,
    lastMs: number,
    buckets: number
  ) {
    this.bucketMs = Math.max(1, (lastMs - firstMs) / buckets);
    this.lows = keepAll ? [] : new Array(buckets + 1);
    this.highs = keepAll ? [] : new Array(buckets + 1);
    this.missing = keepAll ? [] : new Array(buckets + 1);
  }

  add(timestampMs: number, value: number, score: number): void {
    if (this.keepAll) {
      this.all.push({ timestampMs, value: Number.isFinite(value) ? value : NaN, score });
      return;
    }
    const bucket = Math.floor((timestampMs - this.firstMs) / this.bucketMs);
    if (!Number.isFinite(value)) {
      this.missing[bucket] ??= timestampMs;
      return;
    }
    const low = this.lows[bucket];
    const high = this.highs[bucket];
    const newLow = !low || value < low.value;
    const newHigh = !high || value > high.value;
    if (newLow || newHigh) {
      const point = { timestampMs, value, score }; // one object when it is both: points() tells them apart by identity
      if (newLow) {
        this.lows[bucket] = point;
      }
      if (newHigh) {
        this.highs[bucket] = point;
      }
    }
  }

  /** The kept points in time order, with a NaN point at each missing value and gap. */
  points(): PlotPoint[] {
    if (this.keepAll) {
      return withGapsBroken(this.all);
    }
    const points: PlotPoint[] = [];
    let seen = false;
    for (let bucket = 0; bucket < this.lows.length; bucket++) {
      const low = this.lows[bucket];
      const high = this.highs[bucket];
      const missing = this.missing[bucket];
      if (!low || !high) {
        // A bucket without a value after one with values: a gap of at least a bucket (over three steps: a series
        // is cut into buckets only beyond PLOT_ALL_POINTS_UP_TO points) in time.
        if (seen) {
          points.push(gap(missing ?? this.firstMs + (bucket + 0.5) * this.bucketMs));
          seen = false;
        }
        continue;
      }
      const kept = low === high ? [low] : low.timestampMs < high.timestampMs ? [low, high] : [high, low];
      if (missing !== undefined) {
        // Where in the bucket the value was missing decides on which side of its points the line breaks.
        const at = kept.findIndex((point) => point.timestampMs > missing);
        kept.splice(at < 0 ? kept.length : at, 0, gap(missing));
      }
      points.push(...kept);
      seen = true;
    }
    return points;
  }
}

function gap(timestampMs: number): PlotPoint {
  return { timestampMs, value: NaN, score: NaN };
}

/** Every point, and a gap point where the time between two points exceeds twice the series' usual step. */
function withGapsBroken(points: PlotPoint[]): PlotPoint[] {
  const steps: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const step = points[i].timestampMs - points[i - 1].timestampMs;
    if (step > 0) {
      steps.push(step);
    }
  }
  if (steps.length === 0) {
    return points;
  }
  const usual = steps.sort((a, b) => a - b)[Math.floor(steps.length / 2)];
  const out: PlotPoint[] = [points[0]];
  for (let i = 1; i < points.length; i++) {
    if (points[i].timestampMs - points[i - 1].timestampMs > 2 * usual) {
      out.push(gap((points[i].timestampMs + points[i - 1].timestampMs) / 2));
    }
    out.push(points[i]);
  }
  return out;
}
