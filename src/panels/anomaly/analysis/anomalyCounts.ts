import type { ModelAnalysis } from './analysePanel';

/**
 * Marked points of the scored models: all of them, and those of the series not hidden in the legend (by series
 * name, the legend's key), which is what the chart shows.
 */
export function anomalyCounts(
  analyses: readonly ModelAnalysis[],
  hiddenSeries: ReadonlySet<string>
): { all: number; shown: number } {
  let all = 0;
  let shown = 0;
  for (const { model, outcome } of analyses) {
    outcome?.series.forEach((drawn, i) => {
      all += drawn.anomalyCount;
      if (!hiddenSeries.has(model.series[i].name)) {
        shown += drawn.anomalyCount;
      }
    });
  }
  return { all, shown };
}

/** The panel header's count: the shown anomalies, and how many there are in all while some series are hidden. */
export function anomalyCountText({ all, shown }: { all: number; shown: number }, someHidden: boolean): string {
  const count = (n: number) => (n === 1 ? '1 anomaly' : `${n} anomalies`);
  return someHidden ? `${count(shown)} shown (${all} in all)` : count(all);
}
