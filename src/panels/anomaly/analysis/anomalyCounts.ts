import type { ModelAnalysis } from './analysePanel';

/** Marked points of the scored models, all and shown, and whether any of their series is hidden. */
export interface AnomalyCounts {
  all: number;
  shown: number;
  someHidden: boolean;
}

/**
 * Marked points of the scored models: all of them, and those of the series not hidden in the legend (by series
 * name, the legend's key), which is what the chart shows.
 */
export function anomalyCounts(analyses: readonly ModelAnalysis[], hiddenSeries: ReadonlySet<string>): AnomalyCounts {
  const counts = { all: 0, shown: 0, someHidden: false };
  for (const { model, outcome } of analyses) {
    outcome?.series.forEach((drawn, i) => {
      counts.all += drawn.anomalyCount;
      if (hiddenSeries.has(model.series[i].name)) {
        counts.someHidden = true;
      } else {
        counts.shown += drawn.anomalyCount;
      }
    });
  }
  return counts;
}

/** The panel header's count: the shown anomalies, and how many there are in all while some series are hidden. */
export function anomalyCountText({ all, shown, someHidden }: AnomalyCounts): string {
  const count = (n: number) => (n === 1 ? '1 anomaly' : `${n} anomalies`);
  return someHidden ? `${count(shown)} shown (${all} in all)` : count(all);
}
