/** One time series to backfill: a metric name, its labels and samples at millisecond timestamps. */
export interface MetricSeries {
  metric: string;
  labels: Record<string, string>;
  timestampsMs: ArrayLike<number>;
  /** Same length as timestampsMs; NaN marks a missing sample and is left out (Prometheus would store NaN). */
  values: ArrayLike<number>;
}

/**
 * The OpenMetrics text `promtool tsdb create-blocks-from openmetrics` reads: each metric family once, declared as
 * a gauge, with all its samples together, timestamps in seconds, terminated by `# EOF`.
 */
export function toOpenMetricsText(series: MetricSeries[]): string {
  const byMetric = new Map<string, MetricSeries[]>();
  for (const one of series) {
    byMetric.set(one.metric, [...(byMetric.get(one.metric) ?? []), one]);
  }
  const lines: string[] = [];
  for (const [metric, family] of byMetric) {
    lines.push(`# TYPE ${metric} gauge`);
    for (const one of family) {
      if (one.timestampsMs.length !== one.values.length) {
        throw new Error(
          `series ${metric}${formatLabels(one.labels)}: ${one.timestampsMs.length} timestamps but ${one.values.length} values`
        );
      }
      const name = `${metric}${formatLabels(one.labels)}`;
      for (let i = 0; i < one.values.length; i++) {
        if (!Number.isNaN(one.values[i])) {
          lines.push(`${name} ${formatValue(one.values[i])} ${one.timestampsMs[i] / 1000}`);
        }
      }
    }
  }
  lines.push('# EOF');
  return lines.join('\n') + '\n';
}

/** `{a="1",b="x"}` with OpenMetrics escaping, or '' without labels. */
export function formatLabels(labels: Record<string, string>): string {
  const pairs = Object.entries(labels).map(([name, value]) => `${name}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function formatValue(value: number): string {
  if (value === Infinity) {
    return '+Inf';
  }
  if (value === -Infinity) {
    return '-Inf';
  }
  return String(value);
}
