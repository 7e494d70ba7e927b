/**
 * The three text formats the generator writes its telemetry in: Prometheus exposition (scraped from /metrics),
 * OpenMetrics (backfilled with `promtool tsdb create-blocks-from openmetrics`) and InfluxDB line protocol.
 * All three carry the same labels and the same rounded values, so Prometheus and InfluxDB hold identical data.
 */
import { METRICS, type Metric } from '../sample/generateTelemetry';

/** One host's values at one time. */
export interface HostSample {
  host: string;
  timestampMs: number;
  values: Record<Metric, number>;
}

const HELP: Record<Metric, string> = {
  cpu_usage_percent: 'CPU busy time in percent',
  memory_free_mb: 'Free memory in MiB',
  disk_io_rate_mbps: 'Disk throughput in MB/s',
  network_latency_ms: 'Network round-trip latency in milliseconds',
  error_count: 'Errors logged during the last step',
};

/** Three decimals: realistic precision, and the same number in every format. */
export function roundValue(metric: Metric, value: number): number {
  return metric === 'error_count' ? value : Math.round(value * 1000) / 1000;
}

/** Prometheus text exposition (version 0.0.4) of the current samples, without timestamps. */
export function prometheusExposition(samples: HostSample[], job: string): string {
  const lines: string[] = [];
  for (const metric of METRICS) {
    lines.push(`# HELP ${metric} ${HELP[metric]}`, `# TYPE ${metric} gauge`);
    for (const sample of samples) {
      lines.push(`${metric}${labelSet(sample.host, job)} ${roundValue(metric, sample.values[metric])}`);
    }
  }
  return lines.join('\n') + '\n';
}

/**
 * OpenMetrics for promtool: each metric family once, its series one after the other, each series' samples in
 * time order with timestamps in seconds, ending with `# EOF`. `samplesByHost` holds each host's samples in time order.
 */
export function* openMetricsLines(samplesByHost: HostSample[][], job: string): Generator<string> {
  for (const metric of METRICS) {
    yield `# HELP ${metric} ${HELP[metric]}`;
    yield `# TYPE ${metric} gauge`;
    for (const samples of samplesByHost) {
      for (const sample of samples) {
        yield `${metric}${labelSet(sample.host, job)} ${roundValue(metric, sample.values[metric])} ${sample.timestampMs / 1000}`;
      }
    }
  }
  yield '# EOF';
}

/** One line of InfluxDB line protocol with a millisecond timestamp (write with precision=ms). */
export function influxLine(measurement: string, sample: HostSample): string {
  const fields = METRICS.map((metric) => {
    const value = roundValue(metric, sample.values[metric]);
    // error_count is a count: an integer field (the `i` suffix), as InfluxDB keeps a field's first type.
    return metric === 'error_count' ? `${metric}=${value}i` : `${metric}=${value}`;
  });
  return `${escapeInflux(measurement)},host=${escapeInflux(sample.host)} ${fields.join(',')} ${sample.timestampMs}`;
}

/**
 * `job` is part of the series so that scraped samples and backfilled ones are one series: the scrape config keeps
 * the target's labels (honor_labels) and drops `instance`.
 */
function labelSet(host: string, job: string): string {
  return `{host="${escapeLabelValue(host)}",job="${escapeLabelValue(job)}"}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** Measurement names and tag values escape commas, spaces and equals signs. */
function escapeInflux(value: string): string {
  return value.replace(/[,= \\]/g, (c) => `\\${c}`);
}
