/**
 * The data the panel tests query back from Prometheus and InfluxDB: the CLI's seeded telemetry generator
 * (pkg/cli/src/sample/generateTelemetry.ts) for two hosts over one day at a 1-minute step, ending a few minutes
 * ago (Prometheus only accepts backfilled samples in the past). One anomaly of each kind per host, at timestamps
 * the generator reports, so the tests know where the markers belong.
 */
import { generateTelemetry, type InjectedAnomaly, METRICS } from '../../pkg/cli/src/sample/generateTelemetry';
import type { MetricSeries } from '../support/openMetrics';

export const STEP_MS = 60_000;
const RANGE_MS = 24 * 3_600_000;
export const HOSTS = ['host-a', 'host-b'];
/** Prometheus metric names: `telemetry_<metric>`; InfluxDB measurement: `telemetry` with one field per metric. */
export const METRIC_PREFIX = 'telemetry_';
export const INFLUX_MEASUREMENT = 'telemetry';

export interface TelemetryScenario {
  fromMs: number;
  toMs: number;
  anomalies: InjectedAnomaly[];
  prometheusSeries: MetricSeries[];
  influxLines: string[];
}

export function buildTelemetryScenario(): TelemetryScenario {
  // On the step grid, so Prometheus' query_range steps land exactly on the samples.
  const toMs = Math.floor((Date.now() - 10 * 60_000) / STEP_MS) * STEP_MS;
  const fromMs = toMs - RANGE_MS;
  const data = generateTelemetry({ start: fromMs, end: toMs, stepMs: STEP_MS, hosts: HOSTS, seed: 7 });

  const prometheusSeries: MetricSeries[] = data.hosts.flatMap(({ host, metrics }) =>
    METRICS.map((metric) => ({
      metric: `${METRIC_PREFIX}${metric}`,
      labels: { host },
      timestampsMs: data.timestamps,
      values: metrics[metric],
    }))
  );
  const influxLines = data.hosts.flatMap(({ host, metrics }) =>
    Array.from(data.timestamps, (timestamp, i) => {
      const fields = METRICS.map((metric) => `${metric}=${metrics[metric][i]}`).join(',');
      return `${INFLUX_MEASUREMENT},host=${host} ${fields} ${timestamp}`;
    })
  );
  return { fromMs, toMs, anomalies: data.anomalies, prometheusSeries, influxLines };
}

export { METRICS };
