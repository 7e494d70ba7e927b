/**
 * Collects, while rows are scored, what report.html plots: per group and metric a downsampled series
 * (SeriesSampler) plus every anomaly with its top features.
 */
import type { FeatureContribution } from '@telemetry-analyzer/engine';
import type { GroupScan } from '../input/scanInput';
import type { RowBatch } from '../input/rowBatch';
import type { BatchScores } from '../pipeline/batchScores';
import { SeriesSampler } from './seriesSampler';

/** Series up to this many points are plotted in full. */
export const PLOT_ALL_POINTS_UP_TO = 5000;
/** Longer ones are reduced to the min and max of this many time buckets. */
export const PLOT_BUCKETS = 1500;

export interface PlotData {
  group: string;
  metric: string;
  /** Epoch seconds (uPlot's time unit). */
  x: number[];
  y: Array<number | null>;
  /** Anomaly score per point (null where not scored). */
  score: Array<number | null>;
  /** Indexes into x of the anomalies, and their top features as text. */
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
  private readonly anomalies = new Map<string, Anomaly[]>();

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
        this.anomalies.get(group)!.push({
          timestampMs,
          values: Float64Array.from(batch.values, (column) => column[row]),
          score: scores.score[row],
          contributions: scores.contributions.get(row) ?? [],
        });
      }
    }
  }

  plots(): PlotData[] {
    const plots: PlotData[] = [];
    for (const [group, samplers] of this.samplers) {
      const anomalies = this.anomalies.get(group)!;
      samplers.forEach((sampler, m) => plots.push(mergePlot(group, this.metricNames[m], sampler, anomalies, m)));
    }
    return plots;
  }
}

function mergePlot(group: string, metric: string, sampler: SeriesSampler, anomalies: Anomaly[], m: number): PlotData {
  const byTime = new Map<number, { value: number; score: number; anomaly?: Anomaly }>();
  for (const point of sampler.points()) {
    byTime.set(point.timestampMs, { value: point.value, score: point.score });
  }
  for (const anomaly of anomalies) {
    byTime.set(anomaly.timestampMs, { value: anomaly.values[m], score: anomaly.score, anomaly });
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const plot: PlotData = { group, metric, x: [], y: [], score: [], anomalies: [], features: {} };
  times.forEach((timestampMs, index) => {
    const point = byTime.get(timestampMs)!;
    plot.x.push(timestampMs / 1000);
    plot.y.push(Number.isFinite(point.value) ? point.value : null);
    plot.score.push(Number.isFinite(point.score) ? Number(point.score.toFixed(4)) : null);
    if (point.anomaly) {
      plot.anomalies.push(index);
      plot.features[index] = point.anomaly.contributions
        .map((c) => `${c.name ?? `feature ${c.feature}`} (${(100 * c.weight).toFixed(0)}%)`)
        .join(', ');
    }
  });
  return plot;
}
