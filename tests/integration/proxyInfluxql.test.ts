// InfluxQL through the proxy against a real InfluxDB with auth on, the proxy reading as a READ-only user (as
// docs/proxy.md tells operators): read-only SELECTs of the configured database work; anything else is refused with
// its position in the query the client sent, and the read-only user could not have done harm anyway.
import { InfluxDBServer, startInfluxDB } from '../support/influxdb';
import { influxAdmin, influxReader } from '../support/hostile';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import { buildTelemetryDataset, toInfluxLines } from '../support/telemetryDataset';
import { readInfluxAnswer } from '@telemetry-analyzer/query';

const dataset = buildTelemetryDataset();
let prometheus: PrometheusServer;
let influx: InfluxDBServer;
let proxy: ProxyUnderTest;

beforeAll(async () => {
  [prometheus, influx] = await Promise.all([
    startPrometheus({ series: [] }),
    startInfluxDB({
      database: 'telemetry',
      lines: toInfluxLines(dataset),
      auth: { admin: influxAdmin, readers: [influxReader] },
    }),
  ]);
  proxy = await startProxyUnderTest({
    prometheusUrl: prometheus.url,
    influx: { url: influx.url, database: 'telemetry', user: influxReader },
  });
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([prometheus?.stop(), influx?.stop()]);
});

async function queryRange(query: string, step = 60) {
  const end = dataset.end / 1000;
  const response = await fetch(`${proxy.url}/api/v1/query_range`, {
    method: 'POST',
    body: new URLSearchParams({ query, start: String(end - 3 * 3600), end: String(end), step: String(step) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('InfluxQL through the proxy', () => {
  it("counts InfluxDB ready in /readyz only when it takes the proxy's credentials (its /ping takes anyone)", async () => {
    const upstreamOf = async (url: string) =>
      ((await (await fetch(`${url}/readyz`)).json()) as { upstreams: Record<string, unknown> }).upstreams.influx;
    expect(await upstreamOf(proxy.url)).toEqual({ ok: true, detail: 'HTTP 200' });
    const wrongPassword = await startProxyUnderTest({
      prometheusUrl: prometheus.url,
      influx: { url: influx.url, database: 'telemetry', user: { ...influxReader, password: 'not-the-password' } },
    });
    try {
      expect(await upstreamOf(wrongPassword.url)).toEqual({ ok: false, detail: 'HTTP 401 from /query' });
      // A query refused for the proxy's credentials is the operator's problem: a warning, not an info line.
      const answer = await fetch(`${wrongPassword.url}/api/v1/query`, {
        method: 'POST',
        body: new URLSearchParams({
          query:
            'anomaly_score(influxql("SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host"), train="1d")',
        }),
      });
      expect(answer.status).toBe(401);
      const warnings = wrongPassword
        .logTail(50)
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line))
        .filter((line) => line.level === 40);
      expect(warnings).toContainEqual(expect.objectContaining({ msg: 'query failed', errorType: 'execution' }));
      expect(JSON.stringify(warnings)).not.toContain('not-the-password');
    } finally {
      await wrongPassword.stop();
    }
  });

  it.each([
    ['SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host', 60],
    [
      'SELECT mean("cpu_usage_percent") FROM "telemetry"."autogen"."telemetry" WHERE $timeFilter GROUP BY time($__interval), "host" fill(null)',
      60,
    ],
    // A fixed interval finer than the step of a zoomed-out dashboard: a few buckets more, still bounded.
    ['SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time(1m), host', 300],
  ])(
    'answers a read-only SELECT of the configured database as the read-only user: %s (step %ss)',
    async (statement, step) => {
      const answer = await queryRange(`anomaly_score(influxql(${JSON.stringify(statement)}), train="1d")`, step);
      expect(answer.status).toBe(200);
      expect(answer.body.data.result.map((series: { metric: { host: string } }) => series.metric.host).sort()).toEqual([
        'host-a',
        'host-b',
      ]);
    }
  );

  it('points a refusal at its character in the query as sent, through the string literal escapes', async () => {
    // `¦` marks the expected position; the statement holds escaped quotes before it.
    const marked = 'anomaly_flag(influxql("SELECT \\"x\\" FROM cpu¦; DROP DATABASE \\"telemetry\\""))';
    const answer = await queryRange(marked.replace('¦', ''));
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: `parse error at char ${marked.indexOf('¦') + 1}: influxql: only one statement is accepted: remove ";" and what follows (char 20 of the statement)`,
    });
  });

  it('refuses a control character where InfluxDB would end a comment early and read what follows as a statement', async () => {
    // InfluxDB's scanner takes U+0000 for the end of its input, so a `--` comment ends there and a `;` after it
    // begins another statement (an attack review: CREATE USER ran as the proxy's admin user; with a reader, a SELECT
    // past every cost limit). Shown first on InfluxDB itself, as its admin: two statements run.
    const credentials = Buffer.from(`${influxAdmin.username}:${influxAdmin.password}`).toString('base64');
    const direct = await fetch(`${influx.url}/query`, {
      method: 'POST',
      body: new URLSearchParams({ q: 'SHOW DATABASES -- \u0000; SHOW USERS', db: 'telemetry' }),
      headers: { authorization: `Basic ${credentials}` },
    });
    expect(((await direct.json()) as { results: unknown[] }).results).toHaveLength(2);

    const marked =
      'anomaly_score(influxql("SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval) -- ' +
      '¦\\x00; SELECT count(cpu_usage_percent) FROM telemetry WHERE time > now() - 3d GROUP BY time(1s) fill(0)"), train="1d")';
    const answer = await queryRange(marked.replace('¦', ''));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(answer.body.error).toMatch(
      new RegExp(`^parse error at char ${marked.indexOf('¦') + 1}: influxql: unexpected character .*\\(U\\+0000\\)`)
    );
  });

  it('runs as a user InfluxDB itself refuses to write or administer for', async () => {
    const asReader = async (q: string) => {
      const credentials = Buffer.from(`${influxReader.username}:${influxReader.password}`).toString('base64');
      const response = await fetch(`${influx.url}/query`, {
        method: 'POST',
        body: new URLSearchParams({ q, db: 'telemetry' }),
        headers: { authorization: `Basic ${credentials}` },
      });
      return (await response.json()) as {
        error?: string;
        results?: Array<{ error?: string }>;
      };
    };
    for (const statement of [
      'DROP DATABASE "telemetry"',
      "CREATE USER evil WITH PASSWORD 'x'",
      'SELECT * INTO copy FROM telemetry',
    ]) {
      const answer = await asReader(statement);
      expect([statement, answer.error ?? answer.results?.[0]?.error]).toEqual([
        statement,
        expect.stringMatching(/not authorized|authorization/),
      ]);
    }
  });
});

describe("InfluxDB's chunked answers (the proxy asks for them: InfluxDB streams instead of building the answer whole)", () => {
  it.each([
    'SELECT cpu_usage_percent, memory_free_mb FROM telemetry WHERE time > now() - 4d GROUP BY host',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE time > now() - 4d GROUP BY time(5m), host',
  ])('are read as the whole answer: %s', async (statement) => {
    const answerTo = async (extra: Record<string, string>) => {
      const params = new URLSearchParams({ db: 'telemetry', q: statement, epoch: 'ms', ...extra });
      const response = await fetch(`${influx.url}/query?${params}`, {
        headers: {
          authorization: `Basic ${Buffer.from(`${influxReader.username}:${influxReader.password}`).toString('base64')}`,
        },
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    // Chunks of 500 points: a series continues over several JSON documents, one a line.
    const chunked = await answerTo({ chunked: 'true', chunk_size: '500' });
    expect(chunked.trim().split('\n').length).toBeGreaterThan(4);
    const whole = readInfluxAnswer(await answerTo({}));
    expect(Array.isArray(whole) && whole.length).toBe(statement.includes('memory') ? 4 : 2);
    expect(readInfluxAnswer(chunked)).toEqual(whole);
  });
});
