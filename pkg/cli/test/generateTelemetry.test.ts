import { generateTelemetry, METRICS } from '../src/sample/generateTelemetry';

const start = Date.UTC(2024, 4, 6);
const day = 86_400_000;

describe('generateTelemetry', () => {
  const options = { start, end: start + 4 * day - 60_000, hosts: ['a', 'b'] };
  const data = generateTelemetry(options);

  test('same options, same data; another seed, other data', () => {
    expect(generateTelemetry(options)).toEqual(data);
    const other = generateTelemetry({ ...options, seed: 8 });
    expect(other.hosts[0].metrics.cpu_usage_percent).not.toEqual(data.hosts[0].metrics.cpu_usage_percent);
  });

  test('one row per step, every metric per host, integer error counts', () => {
    expect(data.timestamps).toHaveLength(4 * 1440);
    expect(data.timestamps[1] - data.timestamps[0]).toBe(60_000);
    for (const { metrics } of data.hosts) {
      expect(Object.keys(metrics)).toEqual([...METRICS]);
      expect(metrics.error_count.every(Number.isInteger)).toBe(true);
      expect(metrics.cpu_usage_percent.every((v) => v >= 0 && v <= 100)).toBe(true);
    }
  });

  test('five anomaly kinds per host, after 35% of the range, a few points to about an hour, not overlapping', () => {
    expect(data.anomalies).toHaveLength(10);
    const firstAllowed = start + 0.35 * (options.end - start);
    for (const host of ['a', 'b']) {
      const mine = data.anomalies.filter((a) => a.host === host).sort((x, y) => x.start - y.start);
      expect(mine.map((a) => a.kind).sort()).toEqual([
        'cpu_spike',
        'disk_io_stall',
        'error_burst',
        'latency_jitter',
        'memory_leak',
      ]);
      mine.forEach((anomaly, i) => {
        expect(anomaly.start).toBeGreaterThanOrEqual(firstAllowed);
        expect(anomaly.end - anomaly.start).toBeGreaterThanOrEqual(60_000);
        expect(anomaly.end - anomaly.start).toBeLessThanOrEqual(65 * 60_000);
        if (i > 0) {
          expect(anomaly.start).toBeGreaterThan(mine[i - 1].end);
        }
      });
    }
  });

  test('cpu and latency are higher during the day (daily seasonality)', () => {
    const { metrics } = data.hosts[0];
    const meanAtHour = (name: string, hour: number) => {
      const values = [...data.timestamps.keys()].filter((i) => new Date(data.timestamps[i]).getUTCHours() === hour);
      return values.reduce((sum, i) => sum + metrics[name][i], 0) / values.length;
    };
    expect(meanAtHour('cpu_usage_percent', 15)).toBeGreaterThan(meanAtHour('cpu_usage_percent', 3) + 20);
    expect(meanAtHour('network_latency_ms', 15)).toBeGreaterThan(meanAtHour('network_latency_ms', 3) + 5);
  });

  test('injected anomalies are far outside the normal range of their metric', () => {
    const { metrics } = data.hosts[0];
    const inside = (kind: string) => {
      const anomaly = data.anomalies.find((a) => a.kind === kind && a.host === 'a')!;
      return [...data.timestamps.keys()].filter(
        (i) => data.timestamps[i] >= anomaly.start && data.timestamps[i] <= anomaly.end
      );
    };
    expect(Math.min(...inside('cpu_spike').map((i) => metrics.cpu_usage_percent[i]))).toBeGreaterThan(90);
    expect(Math.max(...inside('disk_io_stall').map((i) => metrics.disk_io_rate_mbps[i]))).toBeLessThan(3);
    expect(Math.min(...inside('error_burst').map((i) => metrics.error_count[i]))).toBeGreaterThan(20);
    const leak = inside('memory_leak').map((i) => metrics.memory_free_mb[i]);
    expect(leak[leak.length - 1]).toBeLessThan(leak[0] - 3000); // drains...
    const afterLeak = data.timestamps.findIndex(
      (t) => t > data.anomalies.find((a) => a.kind === 'memory_leak' && a.host === 'a')!.end
    );
    expect(metrics.memory_free_mb[afterLeak + 1]).toBeGreaterThan(leak[leak.length - 1] + 3000); // ...then recovers
  });
});
