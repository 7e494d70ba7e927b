// Bench telemetry for Prometheus: the CLI's seeded generator (daily cycle, noise, a few injected anomalies) for
// `hostCount` hosts x its 5 metrics, as the series tests/support/prometheus.ts backfills: <metric>{host, job}.
const { generateTelemetry, METRICS } = require('../../pkg/cli/dist/sample/generateTelemetry');

const JOB = 'telemetry';

/**
 * @param {{ hostCount: number, startMs: number, endMs: number, stepMs: number }} options
 * @returns {{ series: Array<{ metric: string, labels: Record<string, string>, timestampsMs: Float64Array, values: Float64Array }>, selector: string }}
 *   `selector` selects exactly these series.
 */
function telemetrySeries({ hostCount, startMs, endMs, stepMs }) {
  const hosts = Array.from({ length: hostCount }, (_, i) => `host-${String(i + 1).padStart(3, '0')}`);
  // Anomalies only in the last 40 % of the range: the scored day, not the training day before it.
  const data = generateTelemetry({ start: startMs, end: endMs, stepMs, hosts, seed: 7, anomalyStartFraction: 0.6 });
  const series = data.hosts.flatMap(({ host, metrics }) =>
    METRICS.map((metric) => ({
      metric,
      labels: { host, job: JOB },
      timestampsMs: data.timestamps,
      values: metrics[metric],
    }))
  );
  return { series, selector: `{job="${JOB}"}` };
}

module.exports = { telemetrySeries, METRICS };
