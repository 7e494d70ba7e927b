/**
 * The dataset every integration test serves from Prometheus and InfluxDB: the CLI's seeded telemetry generator,
 * two hosts, three days at one-minute resolution ending a few minutes before now, with the injected anomalies
 * in the last day only (the two days before are clean training data).
 */
import { generateTelemetry, InjectedAnomaly, METRICS, TelemetryData } from '../../pkg/cli/src/sample/generateTelemetry';
import { MetricSeries } from './openMetrics';

export { METRICS };
export type { InjectedAnomaly };

export const HOSTS = ['host-a', 'host-b'];
export const STEP_MS = 60_000;
export const DAYS = 3;
/** The `job` label of every Prometheus series. */
export const JOB = 'telemetry';
/** The InfluxDB measurement holding one field per metric, tagged by host. */
export const MEASUREMENT = 'telemetry';
const DAY_MS = 24 * 3_600_000;
/** Data stops this long before now: in the past, as promtool requires, yet within Prometheus' 5 min lookback. */
const END_BEFORE_NOW_MS = 3 * 60_000;

export interface TelemetryDataset extends TelemetryData {
  /** First and last timestamp, epoch ms, on the one-minute grid. */
  start: number;
  end: number;
}

export function buildTelemetryDataset(nowMs: number = Date.now()): TelemetryDataset {
  const end = Math.floor((nowMs - END_BEFORE_NOW_MS) / STEP_MS) * STEP_MS;
  const start = end - DAYS * DAY_MS;
  const data = generateTelemetry({
    start,
    end,
    stepMs: STEP_MS,
    hosts: HOSTS,
    seed: 7,
    // Anomalies in the last of the three days.
    anomalyStartFraction: (DAYS - 1) / DAYS,
  });
  return { ...data, start, end };
}

/** One series per host and metric: `<metric>{host="…", job="telemetry"}`. */
export function toPrometheusSeries(dataset: TelemetryData): MetricSeries[] {
  return dataset.hosts.flatMap(({ host, metrics }) =>
    METRICS.map((metric) => ({
      metric,
      labels: { host, job: JOB },
      timestampsMs: dataset.timestamps,
      values: metrics[metric],
    }))
  );
}

/** Line protocol at millisecond precision: `telemetry,host=… cpu_usage_percent=…,… <ms>` per host and time. */
export function toInfluxLines(dataset: TelemetryData): string[] {
  const lines: string[] = [];
  for (const { host, metrics } of dataset.hosts) {
    dataset.timestamps.forEach((timestamp, i) => {
      const fields = METRICS.filter((metric) => !Number.isNaN(metrics[metric][i])).map(
        (metric) => `${metric}=${metrics[metric][i]}`
      );
      if (fields.length > 0) {
        lines.push(`${MEASUREMENT},host=${host} ${fields.join(',')} ${timestamp}`);
      }
    });
  }
  return lines;
}
