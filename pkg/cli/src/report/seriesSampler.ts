/**
 * Keeps a plottable version of one metric of one group, in bounded memory: every point while the series is short,
 * else per time bucket (one bucket per plot pixel column) only its lowest and highest point, which keeps the
 * shape a line plot would draw, spikes included. Anomalies are kept separately and all of them (ReportCollector).
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
  }

  add(timestampMs: number, value: number, score: number): void {
    if (!Number.isFinite(value)) {
      return;
    }
    if (this.keepAll) {
      this.all.push({ timestampMs, value, score });
      return;
    }
    const bucket = Math.floor((timestampMs - this.firstMs) / this.bucketMs);
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

  /** The kept points in time order. */
  points(): PlotPoint[] {
    if (this.keepAll) {
      return this.all;
    }
    const points: PlotPoint[] = [];
    for (let bucket = 0; bucket < this.lows.length; bucket++) {
      const low = this.lows[bucket];
      const high = this.highs[bucket];
      if (!low || !high) {
        continue;
      }
      if (low === high) {
        points.push(low);
      } else {
        points.push(...(low.timestampMs < high.timestampMs ? [low, high] : [high, low]));
      }
    }
    return points;
  }
}
