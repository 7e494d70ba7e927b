// Smoke test of the real-server harness in tests/support: each server starts on 127.0.0.1, holds the data it was
// given, and is gone after stop(). The proxy tests rely on all of this.
import { startAlertmanager } from '../support/alertmanager';
import { startInfluxDB } from '../support/influxdb';
import { MetricSeries } from '../support/openMetrics';
import { startPrometheus } from '../support/prometheus';
import { startScrapeTarget } from '../support/scrapeTarget';
import {
  buildTelemetryDataset,
  MEASUREMENT,
  METRICS,
  toInfluxLines,
  toPrometheusSeries,
} from '../support/telemetryDataset';
import { stopAfterEach } from '../support/stopAfterEach';
import { startVmalert } from '../support/vmalert';
import { waitUntil } from '../support/waitUntil';
import { startWebhookReceiver } from '../support/webhookReceiver';

const MINUTE_MS = 60_000;
const stopLater = stopAfterEach();

/** Six hours at one-minute resolution (three of promtool's 2 h blocks), ending a few minutes ago. */
function minuteTimestamps(): number[] {
  const end = Math.floor(Date.now() / MINUTE_MS) * MINUTE_MS - 4 * MINUTE_MS;
  return Array.from({ length: 6 * 60 }, (_, i) => end - (6 * 60 - 1 - i) * MINUTE_MS);
}

/** Values distinct per host and index, so a sample served at the wrong time or series is caught. */
function smokeSeries(timestampsMs: number[]): MetricSeries[] {
  return ['host-a', 'host-b'].map((host, h) => ({
    metric: 'smoke_gauge',
    labels: { host, job: 'telemetry' },
    timestampsMs,
    values: timestampsMs.map((_, i) => h * 10_000 + i * 0.5),
  }));
}

async function expectConnectionRefused(url: string): Promise<void> {
  await expect(fetch(url)).rejects.toThrow('fetch failed');
}

type QueryRangeBody = {
  status: string;
  data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
};

async function queryRange(baseUrl: string, query: string, timestampsMs: number[]): Promise<QueryRangeBody> {
  const params = new URLSearchParams({
    query,
    start: String(timestampsMs[0] / 1000),
    end: String(timestampsMs[timestampsMs.length - 1] / 1000),
    step: '60',
  });
  const response = await fetch(`${baseUrl}/api/v1/query_range?${params}`);
  expect(response.status).toBe(200);
  return (await response.json()) as QueryRangeBody;
}

describe('startPrometheus', () => {
  it('serves the backfilled samples at their timestamps, survives a restart on the same data, and stops', async () => {
    const timestampsMs = minuteTimestamps();
    const series = smokeSeries(timestampsMs);
    const prometheus = stopLater(await startPrometheus({ series }));
    const expectBackfill = async () => {
      const body = await queryRange(prometheus.url, 'smoke_gauge{host="host-b"}', timestampsMs);
      expect(body.data.result).toHaveLength(1);
      expect(body.data.result[0].metric).toEqual({ __name__: 'smoke_gauge', host: 'host-b', job: 'telemetry' });
      const expected = timestampsMs.map((t, i) => [t / 1000, String(series[1].values[i] as number)]);
      expect(body.data.result[0].values).toEqual(expected);
    };
    await expectBackfill();

    await prometheus.stopProcess();
    await expectConnectionRefused(`${prometheus.url}/-/ready`);
    await prometheus.startProcess();
    await expectBackfill();

    await prometheus.stop();
    await expectConnectionRefused(`${prometheus.url}/-/ready`);
  });

  it('continues a backfilled series with the values a scrape target serves now', async () => {
    const timestampsMs = minuteTimestamps();
    const target = stopLater(await startScrapeTarget());
    target.set('smoke_gauge', { host: 'host-a', job: 'telemetry' }, 4242);
    const prometheus = stopLater(
      await startPrometheus({
        series: smokeSeries(timestampsMs),
        scrapeTargets: [{ job: 'telemetry', address: target.address, intervalSeconds: 1 }],
      })
    );
    const live = await waitUntil(
      async () => {
        const query = encodeURIComponent('smoke_gauge{host="host-a"}');
        const response = await fetch(`${prometheus.url}/api/v1/query?query=${query}`);
        const body = (await response.json()) as {
          data: { result: Array<{ metric: object; value: [number, string] }> };
        };
        // The last backfilled sample is within the 5 min lookback until the first scrape lands.
        return body.data.result.some((series) => series.value[1] === '4242') ? body.data.result : undefined;
      },
      { timeoutMs: 15_000, describe: () => `the scraped value of smoke_gauge\n${prometheus.outputTail()}` }
    );
    // One series, not two: the scraped samples carry the backfilled labels exactly (no instance label).
    expect(live).toEqual([
      { metric: { __name__: 'smoke_gauge', host: 'host-a', job: 'telemetry' }, value: [expect.any(Number), '4242'] },
    ]);
    expect(target.scrapeCount()).toBeGreaterThan(0);
  });

  it('names promtool in the error when the backfill is not valid OpenMetrics', async () => {
    const bad: MetricSeries = {
      metric: 'bad metric name',
      labels: {},
      timestampsMs: [Date.now() - MINUTE_MS],
      values: [1],
    };
    await expect(startPrometheus({ series: [bad] })).rejects.toThrow(/promtool could not backfill/);
  });
});

describe('startInfluxDB', () => {
  it('answers InfluxQL with the written points at their millisecond timestamps, and stops', async () => {
    const timestampsMs = minuteTimestamps();
    const lines = timestampsMs.flatMap((t, i) => [
      `telemetry,host=host-a cpu_usage_percent=${i * 0.25},error_count=${i % 7} ${t}`,
      `telemetry,host=host-b cpu_usage_percent=${1000 + i},error_count=0 ${t}`,
    ]);
    const influx = stopLater(await startInfluxDB({ database: 'telemetry_smoke', lines }));
    const answer = await influx.query(`SELECT cpu_usage_percent, error_count FROM telemetry WHERE host = 'host-a'`);
    expect(answer.results[0].error).toBeUndefined();
    const series = answer.results[0].series!;
    expect(series).toHaveLength(1);
    expect(series[0].columns).toEqual(['time', 'cpu_usage_percent', 'error_count']);
    expect(series[0].values).toEqual(timestampsMs.map((t, i) => [t, i * 0.25, i % 7]));

    const counts = await influx.query('SELECT count(cpu_usage_percent) FROM telemetry GROUP BY host');
    expect(counts.results[0].series!.map((s) => [s.tags!.host, s.values[0][1]])).toEqual([
      ['host-a', timestampsMs.length],
      ['host-b', timestampsMs.length],
    ]);

    await influx.stop();
    await expectConnectionRefused(`${influx.url}/ping`);
  });
});

describe('the shared telemetry dataset', () => {
  const dataset = buildTelemetryDataset();
  const hostB = dataset.hosts[1];
  const everyFifteenMinutes = Array.from(dataset.timestamps).filter(
    (t) => (t - dataset.start) % (15 * MINUTE_MS) === 0
  );
  const indexOf = (t: number) => (t - dataset.start) / MINUTE_MS;

  it('is served by Prometheus: every host and metric, the generated value at each timestamp', async () => {
    const prometheus = stopLater(await startPrometheus({ series: toPrometheusSeries(dataset) }));
    const params = new URLSearchParams({
      query: 'memory_free_mb{host="host-b"}',
      start: String(dataset.start / 1000),
      end: String(dataset.end / 1000),
      step: String(15 * 60),
    });
    const body = (await (await fetch(`${prometheus.url}/api/v1/query_range?${params}`)).json()) as QueryRangeBody;
    expect(body.data.result).toHaveLength(1);
    const served = body.data.result[0].values.map(([seconds, value]) => [seconds * 1000, Number(value)]);
    expect(served).toEqual(everyFifteenMinutes.map((t) => [t, hostB.metrics.memory_free_mb[indexOf(t)]]));

    const count = await fetch(
      `${prometheus.url}/api/v1/query?query=count(%7Bjob%3D%22telemetry%22%7D)&time=${dataset.end / 1000}`
    );
    const countBody = (await count.json()) as { data: { result: Array<{ value: [number, string] }> } };
    expect(countBody.data.result[0].value[1]).toBe(String(dataset.hosts.length * 5));
  });

  it('is served by InfluxDB: every point of every host, one field per metric', async () => {
    const influx = stopLater(await startInfluxDB({ database: 'telemetry', lines: toInfluxLines(dataset) }));
    const counts = await influx.query(`SELECT count(*) FROM ${MEASUREMENT} GROUP BY host`);
    for (const series of counts.results[0].series!) {
      // One count per field, each the number of timestamps.
      expect(series.values[0].slice(1)).toEqual(METRICS.map(() => dataset.timestamps.length));
    }
    expect(counts.results[0].series!.map((s) => s.tags!.host)).toEqual(dataset.hosts.map((h) => h.host));

    const errors = await influx.query(`SELECT error_count FROM ${MEASUREMENT} WHERE host = 'host-b'`);
    const points = errors.results[0].series![0].values;
    expect(points).toHaveLength(dataset.timestamps.length);
    expect(points.filter(([t]) => everyFifteenMinutes.includes(t as number))).toEqual(
      everyFifteenMinutes.map((t) => [t, hostB.metrics.error_count[indexOf(t)]])
    );
  });
});

describe('vmalert → Alertmanager → webhook receiver', () => {
  it('delivers a firing alert with the rule labels, and a resolved one once Alertmanager is told it ended', async () => {
    const timestampsMs = minuteTimestamps();
    const receiver = stopLater(await startWebhookReceiver());
    const alertmanager = stopLater(await startAlertmanager({ webhookUrl: receiver.url }));
    const prometheus = stopLater(await startPrometheus({ series: smokeSeries(timestampsMs) }));
    // A rule that always fires: this checks the plumbing, the proxy tests check anomaly rules.
    const vmalert = stopLater(
      await startVmalert({
        rulesYaml: [
          'groups:',
          '  - name: smoke',
          '    rules:',
          '      - alert: SmokeAlwaysFiring',
          '        expr: vector(1) > 0',
          '        labels: { host: smoke-host }',
        ].join('\n'),
        datasourceUrl: prometheus.url,
        notifierUrl: alertmanager.url,
        evaluationInterval: '1s',
      })
    );
    await vmalert.waitForEvaluations(2, 15_000);
    expect(await vmalert.failingRules()).toEqual([]);
    const firing = await receiver.waitFor(
      (alert) => alert.status === 'firing' && alert.labels.alertname === 'SmokeAlwaysFiring',
      20_000
    );
    expect(firing.labels.host).toBe('smoke-host');

    // Alertmanager resolves what its clients say has ended; vmalert is stopped so it cannot re-fire it.
    await vmalert.stop();
    const ended = { labels: firing.labels, startsAt: firing.startsAt, endsAt: new Date().toISOString() };
    const post = await fetch(`${alertmanager.url}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify([ended]),
    });
    expect(post.status).toBe(200);
    const resolved = await receiver.waitFor(
      (alert) => alert.status === 'resolved' && alert.labels.alertname === 'SmokeAlwaysFiring',
      20_000
    );
    expect(resolved.labels).toEqual(firing.labels);

    await alertmanager.stop();
    await expectConnectionRefused(`${alertmanager.url}/-/ready`);
    await expectConnectionRefused(`${vmalert.url}/health`);
  });
});
