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
  return (await queryRangeAnswer(query)).result;
}

/** The same, with the answer's warnings. */
async function queryRangeAnswer(query: string): Promise<{ result: Matrix; warnings: string[] }> {
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
  return { result: body.data!.result, warnings: (body as { warnings?: string[] }).warnings ?? [] };
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

describe('a series with a problem, on real Prometheus data', () => {
  const hostsOf = (matrix: Matrix) => matrix.map((series) => series.metric.host);
  const flaggedTimes = (matrix: Matrix) =>
    matrix.flatMap((series) => series.values.filter(([, v]) => v === '1').map(([seconds]) => seconds * 1000));

  it('leaves out a series with a value beyond float32 in the scored range, with a warning; the others are answered', async () => {
    // An exporter's sentinel in one host's series, an hour before the end (it failed the whole query with a 500).
    const at = (scoredEnd - 3_600_000) / 1000;
    const { result, warnings } = await queryRangeAnswer(
      `anomaly_score((cpu_usage_percent{host="host-a"} + (time() == bool ${at}) * 1e300) or cpu_usage_percent{host="host-b"}, train="1d")`
    );
    expect(hostsOf(result)).toEqual(['host-b']);
    // (Beside the over-flagging warning the real day's host-b gets in batch mode.)
    expect(warnings).toContainEqual(
      expect.stringMatching(/^no scores for \{host="host-a", job="telemetry"\}: .*beyond the float32 range/)
    );
  });

  it('answers a series constant over its training range with a warning that batch mode never flags a change in it', async () => {
    // 0 through the training day, 5 from six hours into the scored one (an error rate that starts climbing).
    const from = scoredStart + 6 * 3_600_000;
    const query = (online: string) =>
      `anomaly_flag(cpu_usage_percent{host="host-a"} * 0 + (time() > bool ${from / 1000}) * 5, train="1d"${online})`;
    const batch = await queryRangeAnswer(query(''));
    expect(batch.warnings).toEqual([
      '1 of 1 models were trained on series that did not change over the training range (e.g. {host="host-a", job="telemetry"}): a change in them is never flagged; online=true flags such changes',
    ]);
    expect(flaggedTimes(batch.result)).toEqual([]);
    // What the warning says: online, the first point of the change is flagged.
    const online = await queryRangeAnswer(query(', online=true'));
    expect(flaggedTimes(online.result)).toContain(from + STEP_MS);
  });

  it('answers an instant query at its time whatever its step (a step over the 5-minute lookback answered nothing)', async () => {
    const body = new URLSearchParams({
      query: 'anomaly_score(cpu_usage_percent{host="host-a"}, train="1d", step="10m")',
      time: String(scoredEnd / 1000),
    });
    const response = await fetch(`${proxy.url}/api/v1/query`, { method: 'POST', body });
    const answer = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
    expect(answer.data.result.map((series) => series.value[0])).toEqual([scoredEnd / 1000]);
  });
});

describe('an instant query after a series ends', () => {
  /** The result's series (their host labels) of an instant query at `timeMs`, from `url`. */
  async function instantHosts(url: string, query: string, timeMs: number): Promise<string[]> {
    const body = new URLSearchParams({ query, time: String(timeMs / 1000) });
    const response = await fetch(`${url}/api/v1/query`, { method: 'POST', body });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { data: { result: Array<{ metric: Record<string, string> }> } };
    return answer.data.result.map((series) => series.metric.host);
  }

  // The dataset's samples end at dataset.end (no staleness marker: a target gone without a goodbye). Times on the
  // one-minute grid, so that the point the proxy answers with (the grid's last, at most a step old) is at the time.
  const after = [2, 4, 7, 9].map((minutes) => dataset.end + minutes * 60_000);

  it('answers for a PromQL series exactly when Prometheus does (its lookback applied once)', async () => {
    const selector = 'cpu_usage_percent{host="host-a"}';
    for (const timeMs of after) {
      const prometheusHosts = await instantHosts(prometheus.url, selector, timeMs);
      const proxyHosts = await instantHosts(proxy.url, `anomaly_score(${selector}, ${OPTIONS})`, timeMs);
      expect({ minutes: (timeMs - dataset.end) / 60_000, proxyHosts }).toEqual({
        minutes: (timeMs - dataset.end) / 60_000,
        proxyHosts: prometheusHosts,
      });
    }
    // Both sides of the lookback were asked.
    expect(await instantHosts(prometheus.url, selector, after[1])).toEqual(['host-a']);
    expect(await instantHosts(prometheus.url, selector, after[2])).toEqual([]);
  });

  it('answers for an InfluxQL series within the lookback after its last sample, as Prometheus would', async () => {
    const influxql = `SELECT mean(cpu_usage_percent) FROM ${MEASUREMENT} WHERE host = 'host-a' AND $timeFilter GROUP BY time($interval), host`;
    const query = `anomaly_score(influxql("${influxql}"), upstream="influx", ${OPTIONS})`;
    const hosts = [];
    for (const timeMs of after) {
      hosts.push(await instantHosts(proxy.url, query, timeMs));
    }
    expect(hosts).toEqual([['host-a'], ['host-a'], [], []]);
  });
});

it("places Prometheus' parse errors of the wrapped expression in the query as the client sent it", async () => {
  const errorOf = async (query: string) => {
    const response = await fetch(`${proxy.url}/api/v1/query`, {
      method: 'POST',
      body: new URLSearchParams({ query, time: String(scoredEnd / 1000) }),
    });
    const body = (await response.json()) as { errorType: string; error: string };
    return { httpStatus: response.status, errorType: body.errorType, error: body.error };
  };
  const rate = 'anomaly_score(rate(cpu_usage_percent), train="1d")';
  expect(await errorOf(rate)).toEqual({
    httpStatus: 400,
    errorType: 'bad_data',
    // Prometheus points at rate's argument: 1:6 in what it was sent.
    error: `parse error at char ${rate.indexOf('cpu_usage_percent')}: expected type range vector in call to function "rate", got instant vector`,
  });
  const lines = 'anomaly_score(\n  cpu_usage_percent +\n  foo bar)';
  expect((await errorOf(lines)).error).toMatch(new RegExp(`^parse error at char ${lines.indexOf('bar')}: .*"bar"`));
});

it('refuses InfluxQL that merges several series into one (no GROUP BY their tag), naming the fix', async () => {
  // A review (2026-12-07): both hosts' rows at each time made one series; the last row at each time was scored.
  const influxql = `SELECT cpu_usage_percent FROM ${MEASUREMENT} WHERE $timeFilter`;
  const response = await fetch(`${proxy.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({
      query: `anomaly_score(influxql("${influxql}"), upstream="influx", ${OPTIONS})`,
      time: String(scoredEnd / 1000),
    }),
  });
  expect(response.status).toBe(422);
  const body = (await response.json()) as { errorType: string; error: string };
  expect(body.errorType).toBe('execution');
  expect(body.error).toMatch(/rows of several series in one; GROUP BY the tag that tells them apart/);
  // With the tag, each host is a series of its own.
  const grouped = `${influxql} GROUP BY host`;
  const answer = await fetch(`${proxy.url}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({
      query: `anomaly_score(influxql("${grouped}"), upstream="influx", ${OPTIONS})`,
      time: String(scoredEnd / 1000),
    }),
  });
  const hosts = ((await answer.json()) as { data: { result: Array<{ metric: { host: string } }> } }).data.result;
  expect(hosts.map((series) => series.metric.host).sort()).toEqual(dataset.hosts.map(({ host }) => host).sort());
});
