/**
 * Scores flagged points against the injected anomalies: which anomaly windows were hit (recall) and which
 * flagged points fall inside a window (precision).
 */
import { InjectedAnomaly } from './telemetryDataset';

export interface FlaggedSeries {
  host: string;
  metric: string;
  /** Epoch ms of every point flagged 1. */
  flaggedTimesMs: number[];
}

export interface DetectionQuality {
  windows: number;
  windowsHit: number;
  flaggedPoints: number;
  flaggedInsideWindows: number;
  /** windowsHit / windows. */
  recall: number;
  /** flaggedInsideWindows / flaggedPoints (1 when nothing was flagged). */
  precision: number;
  missed: string[];
}

/**
 * A point counts for a window of the same host and metric when it lies in [start, end + afterglowMs]:
 * features over a rolling window stay unusual for a while after the values are normal again.
 */
export function detectionQuality(
  anomalies: InjectedAnomaly[],
  flagged: FlaggedSeries[],
  afterglowMs: number
): DetectionQuality {
  const windows = anomalies.flatMap((anomaly) => anomaly.metrics.map((metric) => ({ anomaly, metric })));
  const inside = (window: (typeof windows)[number], host: string, metric: string, t: number) =>
    window.anomaly.host === host &&
    window.metric === metric &&
    t >= window.anomaly.start &&
    t <= window.anomaly.end + afterglowMs;

  const missed: string[] = [];
  let windowsHit = 0;
  for (const window of windows) {
    const hit = flagged.some((series) =>
      series.flaggedTimesMs.some((t) => inside(window, series.host, series.metric, t))
    );
    if (hit) {
      windowsHit++;
    } else {
      missed.push(`${window.anomaly.kind} on ${window.anomaly.host} (${window.metric})`);
    }
  }

  let flaggedPoints = 0;
  let flaggedInsideWindows = 0;
  for (const series of flagged) {
    for (const t of series.flaggedTimesMs) {
      flaggedPoints++;
      if (windows.some((window) => inside(window, series.host, series.metric, t))) {
        flaggedInsideWindows++;
      }
    }
  }
  return {
    windows: windows.length,
    windowsHit,
    flaggedPoints,
    flaggedInsideWindows,
    recall: windows.length === 0 ? 1 : windowsHit / windows.length,
    precision: flaggedPoints === 0 ? 1 : flaggedInsideWindows / flaggedPoints,
    missed,
  };
}
