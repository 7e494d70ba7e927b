// Anomaly queries through the proxy over both upstreams flag the injected anomalies of the shared dataset
// (and few other points). Precision and recall are printed per upstream.
import { detectionQuality, DetectionQuality, FlaggedSeries } from '../support/anomalyWindows';
import { InfluxDBServer, startInfluxDB } from '../support/influxdb';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import {
  buildTelemetryDataset,
  MEASUREMENT,
  METRICS,
  STEP_MS,
  toInfluxLines,
  toPrometheusSeries,
} from '../support/telemetryDataset';

const DAY_MS = 24 * 3_600_000;
/** Default rolling window of the engine, in points: features stay unusual this long after an anomaly. */
const ROLLING_WINDOW_POINTS = 12;
const OPTIONS = 'contamination=0.01, train="1d"';

const dataset = buildTelemetryDataset();
// Score the last day (where the anomalies are); "1d" of training then covers the clean day before it.
const scoredStart = dataset.end - DAY_MS + STEP_MS;
const scoredEnd = dataset.end;

let prometheus: PrometheusServer;
let influx: InfluxDBServer;
let proxy: ProxyUnderTest;

beforeAll(async () => {
  [prometheus, influx] = await Promise.all([
    startPrometheus({ series: toPrometheusSeries(dataset) }),
    startInfluxDB({ database: 'telemetry', lines: toInfluxLines(dataset) }),
  ]);
  proxy = await startProxyUnderTest({
    prometheusUrl: prometheus.url,
    influx: { url: influx.url, database: 'telemetry' },
  });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([prometheus?.stop(), influx?.stop()]);
});

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

/** POSTs a range query as Grafana does and returns the matrix; fails with the proxy's error otherwise. */
async function queryRange(query: string): Promise<Matrix> {
  const response = await fetch(`${proxy.url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      query,
      start: String(scoredStart / 1000),
      end: String(scoredEnd / 1000),
      step: String(STEP_MS / 1000),
    }),
  });
  const body = (await response.json()) as { status: string; data?: { result: Matrix }; error?: string };
  if (response.status !== 200 || body.status !== 'success') {
    throw new Error(`${query} → ${response.status} ${JSON.stringify(body)}\n${proxy.logTail()}`);
  }
  return body.data!.result;
}

function flaggedSeries(matrix: Matrix, metric: string): FlaggedSeries[] {
  return matrix.map((series) => ({
    host: series.metric.host,
    metric,
    flaggedTimesMs: series.values.filter(([, value]) => value === '1').map(([seconds]) => seconds * 1000),
  }));
}

function report(upstream: string, quality: DetectionQuality): void {
  console.log(
    `${upstream}: recall ${quality.windowsHit}/${quality.windows} anomaly windows = ${quality.recall.toFixed(2)}, ` +
      `precision ${quality.flaggedInsideWindows}/${quality.flaggedPoints} flagged points = ${quality.precision.toFixed(2)}` +
      (quality.missed.length ? `; missed: ${quality.missed.join(', ')}` : '')
  );
}

function expectGoodDetection(quality: DetectionQuality): void {
  expect(quality.recall).toBeGreaterThanOrEqual(0.8);
  expect(quality.precision).toBeGreaterThanOrEqual(0.5);
}

const afterglowMs = ROLLING_WINDOW_POINTS * STEP_MS;

it('flags the injected anomalies in Prometheus data, per host, and few other points', async () => {
  const flagged: FlaggedSeries[] = [];
  for (const metric of METRICS) {
    const matrix = await queryRange(`anomaly_flag(${metric}{job="telemetry"}, ${OPTIONS})`);
    // One series per host, with the wrapped series' labels minus __name__.
    expect(matrix.map((series) => series.metric)).toEqual(
      expect.arrayContaining(dataset.hosts.map(({ host }) => ({ host, job: 'telemetry' })))
    );
    expect(matrix).toHaveLength(dataset.hosts.length);
    flagged.push(...flaggedSeries(matrix, metric));
  }
  const quality = detectionQuality(dataset.anomalies, flagged, afterglowMs);
  report('prometheus', quality);
  expectGoodDetection(quality);
});

it('flags the injected anomalies in InfluxDB data through influxql(), per host, and few other points', async () => {
  const flagged: FlaggedSeries[] = [];
  for (const metric of METRICS) {
    const influxql = `SELECT mean(${metric}) FROM ${MEASUREMENT} WHERE $timeFilter GROUP BY time($interval), host`;
    const matrix = await queryRange(`anomaly_flag(influxql("${influxql}"), upstream="influx", ${OPTIONS})`);
    expect(matrix.map((series) => series.metric.host).sort()).toEqual(dataset.hosts.map(({ host }) => host));
    flagged.push(...flaggedSeries(matrix, metric));
  }
  const quality = detectionQuality(dataset.anomalies, flagged, afterglowMs);
  report('influxdb', quality);
  expectGoodDetection(quality);
});

it('scores the same data identically whichever upstream it comes from', async () => {
  const [fromPrometheus] = await queryRange(`anomaly_score(cpu_usage_percent{host="host-b"}, ${OPTIONS})`);
  const influxql = `SELECT mean(cpu_usage_percent) FROM ${MEASUREMENT} WHERE host = 'host-b' AND $timeFilter GROUP BY time($interval), host`;
  const [fromInflux] = await queryRange(`anomaly_score(influxql("${influxql}"), upstream="influx", ${OPTIONS})`);
  expect(fromPrometheus.values.length).toBeGreaterThan(1000);
  expect(fromInflux.values.map(([t, score]) => [t, Number(score)])).toEqual(
    fromPrometheus.values.map(([t, score]) => [t, expect.closeTo(Number(score), 12)])
  );
});
