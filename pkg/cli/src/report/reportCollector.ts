/**
 * Collects, while rows are scored, what report.html plots: per group and metric a downsampled series
 * (SeriesSampler) plus every anomaly with its top features.
 */
import type { FeatureContribution } from '@telemetry-analyzer/engine';
import type { GroupScan } from '../input/scanInput';
import type { RowBatch } from '../input/rowBatch';
import type { BatchScores } from '../pipeline/batchScores';
import { SeriesSampler, type PlotPoint } from './seriesSampler';

/** Series up to this many points are plotted in full. */
export const PLOT_ALL_POINTS_UP_TO = 5000;
/** Longer ones are reduced to the min and max of this many time buckets. */
export const PLOT_BUCKETS = 1500;
/**
 * Most plots one report holds (groups × metrics): each is a chart the page draws when it opens, and a few thousand
 * points. 500 groups of 200 metrics made a 387 MB page no browser opened, and one more metric a page longer than a
 * JavaScript string, which lost the run's other outputs (a review).
 */
export const MAX_REPORT_PLOTS = 100;

/**
 * Anomalies one group's plots mark: its highest-scoring ones. A plot of PLOT_BUCKETS buckets shows no more, and each
 * mark carries its features' text into every metric's plot: 600 000 rows of 10 metrics at contamination 0.5 made a
 * page longer than a JavaScript string, and the run failed with every output lost (a review). The heading counts
 * every anomaly; anomalies.csv lists them.
 */
export const MAX_MARKED_ANOMALIES = 2000;

export interface ReportPlots {
  plots: PlotData[];
  /** Plots left out (beyond MAX_REPORT_PLOTS), and the groups they belong to. */
  omitted: { plots: number; groups: number };
}

export interface PlotData {
  group: string;
  metric: string;
  /** Epoch seconds (uPlot's time unit). */
  x: number[];
  y: Array<number | null>;
  /** Anomaly score per point (null where not scored). */
  score: Array<number | null>;
  /** The group's anomalies, marked or not (see MAX_MARKED_ANOMALIES; and one point per timestamp is plotted). */
  anomalyCount: number;
  /** Indexes into x of the anomalies marked, and their top features as text. */
  anomalies: number[];
  features: Record<number, string>;
}

interface Anomaly {
  timestampMs: number;
  values: Float64Array;
  score: number;
  contributions: FeatureContribution[];
}

export class ReportCollector {
  private readonly samplers = new Map<string, SeriesSampler[]>();
  /** Per group, its highest-scoring anomalies (at most 2 * MAX_MARKED_ANOMALIES between prunings). */
  private readonly anomalies = new Map<string, Anomaly[]>();
  private readonly anomalyCounts = new Map<string, number>();

  constructor(
    private readonly metricNames: string[],
    groups: Map<string, GroupScan>
  ) {
    for (const [group, scan] of groups) {
      const keepAll = scan.rows <= PLOT_ALL_POINTS_UP_TO;
      this.samplers.set(
        group,
        metricNames.map(() => new SeriesSampler(keepAll, scan.firstTimestampMs, scan.lastTimestampMs, PLOT_BUCKETS))
      );
      this.anomalies.set(group, []);
      this.anomalyCounts.set(group, 0);
    }
  }

  /** Adds a scored batch; `groups` names the batch's group indexes. */
  addBatch(batch: RowBatch, scores: BatchScores, groups: string[]): void {
    const samplers = groups.map((group) => this.samplers.get(group));
    for (let row = 0; row < batch.size; row++) {
      const group = groups[batch.groupIndex[row]];
      const groupSamplers = samplers[batch.groupIndex[row]];
      if (!groupSamplers) {
        continue;
      }
      const timestampMs = batch.timestampMs[row];
      for (let m = 0; m < groupSamplers.length; m++) {
        groupSamplers[m].add(timestampMs, batch.values[m][row], scores.score[row]);
      }
      if (scores.isAnomaly[row] === 1) {
        const anomalies = this.anomalies.get(group)!;
        anomalies.push({
          timestampMs,
          values: Float64Array.from(batch.values, (column) => column[row]),
          score: scores.score[row],
          contributions: scores.contributions.get(row) ?? [],
        });
        this.anomalyCounts.set(group, this.anomalyCounts.get(group)! + 1);
        if (anomalies.length >= 2 * MAX_MARKED_ANOMALIES) {
          this.anomalies.set(group, highestScoring(anomalies));
        }
      }
    }
  }

  /**
   * The plots of the groups with the most anomalies first (then in input order), at most `limit` of them: every
   * metric of a group while they fit, one group's metrics never split across the cut. anomalies.csv has every one.
   */
  plots(limit = MAX_REPORT_PLOTS): ReportPlots {
    const groups = [...this.samplers.keys()];
    const ranked = groups
      .map((group, order) => ({ group, order, anomalies: this.anomalyCounts.get(group)! }))
      .sort((a, b) => b.anomalies - a.anomalies || a.order - b.order);
    const plots: PlotData[] = [];
    let shownGroups = 0;
    for (const { group } of ranked) {
      const samplers = this.samplers.get(group)!;
      // A first group wider than the limit still shows its first `limit` metrics.
      if (plots.length + samplers.length > limit && shownGroups > 0) {
        break;
      }
      const anomalies = highestScoring(this.anomalies.get(group)!);
      const featureTexts = anomalies.map(featureText); // the same for every metric of the group
      const count = this.anomalyCounts.get(group)!;
      samplers.slice(0, limit - plots.length).forEach((sampler, m) => {
        const plot = mergePlot(group, this.metricNames[m], sampler.points(), anomalies, featureTexts, m);
        plots.push({ ...plot, anomalyCount: count });
      });
      shownGroups++;
    }
    const total = groups.length * this.metricNames.length;
    return { plots, omitted: { plots: total - plots.length, groups: groups.length - shownGroups } };
  }
}

/** The MAX_MARKED_ANOMALIES highest-scoring of `anomalies` (the earlier of equal scores), or all of them. */
function highestScoring(anomalies: Anomaly[]): Anomaly[] {
  if (anomalies.length <= MAX_MARKED_ANOMALIES) {
    return anomalies;
  }
  const order = Array.from(anomalies.keys()).sort((a, b) => anomalies[b].score - anomalies[a].score || a - b);
  return order.slice(0, MAX_MARKED_ANOMALIES).map((i) => anomalies[i]);
}

/**
 * The sampled points and the anomalies in time order, one point per timestamp: where several share one, the last of
 * them (the points before the anomalies, each in the order it came) is plotted. A stable sort of their indexes by
 * time, not a Map keyed by the timestamps (hashing doubles made this the longest step after scoring: ~0.6 s for
 * 6 metrics of 1M rows with 10 000 anomalies).
 */
function mergePlot(
  group: string,
  metric: string,
  points: PlotPoint[],
  anomalies: Anomaly[],
  featureTexts: string[],
  m: number
): Omit<PlotData, 'anomalyCount'> {
  const count = points.length + anomalies.length;
  const timeOf = (i: number) => (i < points.length ? points[i].timestampMs : anomalies[i - points.length].timestampMs);
  const times = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    times[i] = timeOf(i);
  }
  const order = Array.from({ length: count }, (_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
  const plot: Omit<PlotData, 'anomalyCount'> = { group, metric, x: [], y: [], score: [], anomalies: [], features: {} };
  for (let k = 0; k < count; k++) {
    const i = order[k];
    if (k + 1 < count && times[order[k + 1]] === times[i]) {
      continue; // a later one of the same timestamp is plotted
    }
    const anomaly = i >= points.length ? i - points.length : -1;
    const value = anomaly >= 0 ? anomalies[anomaly].values[m] : points[i].value;
    const score = anomaly >= 0 ? anomalies[anomaly].score : points[i].score;
    plot.x.push(times[i] / 1000);
    plot.y.push(Number.isFinite(value) ? value : null);
    plot.score.push(Number.isFinite(score) ? Number(score.toFixed(4)) : null);
    if (anomaly >= 0) {
      plot.anomalies.push(plot.x.length - 1);
      plot.features[plot.x.length - 1] = featureTexts[anomaly];
    }
  }
  return plot;
}

function featureText(anomaly: Anomaly): string {
  return anomaly.contributions
    .map((c) => `${c.name ?? `feature ${c.feature}`} (${(100 * c.weight).toFixed(0)}%)`)
    .join(', ');
}
