// The hostile-request corpus: requests an attacker would send to the proxy, through the real HTTP server in front
// of a real Prometheus and a real InfluxDB (auth on, the proxy reading as a READ-only user). Every case asserts the
// status and Prometheus' error JSON, that no upstream was asked anything (InfluxDB's databases and users unchanged),
// and that the proxy still answers afterwards.
import {
  AUTHORIZED,
  BASIC_USER,
  HOSTILE_CASES,
  HOSTILE_LIMITS,
  HOSTILE_SERVER_YAML,
  HostileCase,
  HostileTarget,
  PROXY_TOKEN,
  influxAdmin,
  influxReader,
} from '../support/hostile';
import { queryRangeOver } from '../support/hostile/anomalyRequest';
import { InfluxDBServer, startInfluxDB } from '../support/influxdb';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import { rawRequest } from '../support/rawHttp';
import { buildTelemetryDataset, toInfluxLines, toPrometheusSeries } from '../support/telemetryDataset';
import { waitUntil } from '../support/waitUntil';

const dataset = buildTelemetryDataset();

let prometheus: PrometheusServer;
let influx: InfluxDBServer;
let proxy: ProxyUnderTest;
let initialDatabases: string[];
let initialUsers: string[];

beforeAll(async () => {
  [prometheus, influx] = await Promise.all([
    startPrometheus({ series: toPrometheusSeries(dataset) }),
    startInfluxDB({
      database: 'telemetry',
      lines: toInfluxLines(dataset),
      auth: { admin: influxAdmin, readers: [influxReader] },
    }),
  ]);
  // A second database the proxy must never read: the config names only "telemetry".
  await influx.query('CREATE DATABASE "other"');
  proxy = await startProxyUnderTest({
    prometheusUrl: prometheus.url,
    influx: { url: influx.url, database: 'telemetry', user: influxReader },
    bearerTokens: [PROXY_TOKEN],
    basicUsers: [BASIC_USER],
    limits: HOSTILE_LIMITS,
    extraYaml: [HOSTILE_SERVER_YAML],
  });
  [initialDatabases, initialUsers] = await Promise.all([influxNames('SHOW DATABASES'), influxNames('SHOW USERS')]);
});

afterAll(async () => {
  await proxy?.stop();
  await Promise.all([prometheus?.stop(), influx?.stop()]);
});

async function influxNames(statement: string): Promise<string[]> {
  const answer = await influx.query(statement);
  return (answer.results[0].series?.[0]?.values ?? []).map((row) => String(row[0])).sort();
}

/** Requests each upstream has answered so far (the counters do not move when they are read). */
async function upstreamRequestCounts(): Promise<{ prometheusApi: number; influxQueries: number }> {
  const metrics = await (await fetch(`${prometheus.url}/metrics`)).text();
  const prometheusApi = [...metrics.matchAll(/^prometheus_http_requests_total\{[^}]*handler="\/api\/[^}]*\} (\S+)$/gm)]
    .map((match) => Number(match[1]))
    .reduce((sum, count) => sum + count, 0);
  const influxQueries = await influx.queryRequests();
  return { prometheusApi, influxQueries };
}

/** The proxy's own counters this corpus waits for and checks. */
async function proxyMetrics(): Promise<{ aborted: number; upstreamInFlight: number; trainings: number }> {
  const text = await (await fetch(`${proxy.url}/metrics`)).text();
  const sum = (pattern: RegExp) => [...text.matchAll(pattern)].reduce((total, match) => total + Number(match[1]), 0);
  return {
    aborted: sum(/^telemetry_proxy_queries_aborted_total\{[^}]*\} (\S+)$/gm),
    upstreamInFlight: sum(/^telemetry_proxy_upstream_requests_in_flight\{[^}]*\} (\S+)$/gm),
    trainings: sum(/^telemetry_proxy_model_trainings_total (\S+)$/gm),
  };
}

function targetOf(): HostileTarget {
  return { port: proxy.port, url: proxy.url, dataset };
}

/** "auth 54, influxql 72, …": the corpus' cases by class, largest first, as the test's name shows them. */
const classCounts = Object.entries(
  HOSTILE_CASES.reduce<Record<string, number>>(
    (counts, c) => ({ ...counts, [c.class]: (counts[c.class] ?? 0) + 1 }),
    {}
  )
)
  .sort(([, a], [, b]) => b - a)
  .map(([name, count]) => `${name} ${count}`)
  .join(', ');

describe('the hostile-request corpus', () => {
  it(`has at least 60 cases: ${HOSTILE_CASES.length} (${classCounts})`, () => {
    expect(HOSTILE_CASES.length).toBeGreaterThanOrEqual(60);
  });

  it('takes the basic user in its canonical spelling, the scheme in any case (so its refusals below are not vacuous)', async () => {
    const credentials = Buffer.from(`${BASIC_USER.username}:${BASIC_USER.password}`).toString('base64');
    for (const scheme of ['Basic', 'basic', 'BASIC']) {
      const answer = await rawRequest(proxy.port, {
        target: '/api/v1/labels',
        headers: { authorization: `${scheme} ${credentials}` },
      });
      expect([scheme, answer.status, answer.body]).toEqual([scheme, 200, expect.stringContaining('"success"')]);
    }
  });

  it('sees the upstreams asked: an accepted InfluxQL and a plain query move the counters it checks', async () => {
    const before = await upstreamRequestCounts();
    const statement = 'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host';
    const influxAnswer = await queryRangeOver(
      targetOf(),
      `anomaly_score(influxql(${JSON.stringify(statement)}), upstream="influx", train="1d")`
    );
    expect([influxAnswer.status, influxAnswer.body]).toEqual([200, expect.stringContaining('"status":"success"')]);
    const plain = await rawRequest(proxy.port, { target: '/api/v1/query?query=up', headers: AUTHORIZED });
    expect(plain.status).toBe(200);
    const after = await upstreamRequestCounts();
    expect(after.influxQueries).toBeGreaterThan(before.influxQueries);
    expect(after.prometheusApi).toBeGreaterThan(before.prometheusApi);
  });

  it("answers a guess at a secret spelled with escapes in a regex like a wrong guess (Prometheus' error quotes it decoded)", async () => {
    // The InfluxDB reader's password (a configured secret), as a review guessed it: \x2d is "-".
    const errorFor = async (guess: string) => {
      const query = encodeURIComponent(`{job=~"${guess}("}`);
      const answer = await rawRequest(proxy.port, { target: `/api/v1/query?query=${query}`, headers: AUTHORIZED });
      expect(answer.status).toBe(400);
      return JSON.parse(answer.body).error as string;
    };
    const right = await errorFor('reader\\x2dsecret');
    const wrong = await errorFor('reader\\x2dsecreT');
    expect(right).toContain('reader-secret(');
    expect(right.replace('reader-secret', 'reader-secreT')).toBe(wrong);
  });

  it('sends an anomaly query wrapping a modest subquery to Prometheus (so the promql refusals are not vacuous)', async () => {
    const before = await upstreamRequestCounts();
    const answer = await queryRangeOver(
      targetOf(),
      'anomaly_score(max_over_time(cpu_usage_percent{host="host-a"}[2m:1m]), train="1h")'
    );
    expect([answer.status, answer.body]).toEqual([200, expect.stringContaining('"status":"success"')]);
    expect((await upstreamRequestCounts()).prometheusApi).toBeGreaterThan(before.prometheusApi);
  });

  it('passes plain PromQL with the Go escapes and \\r comments Prometheus reads to Prometheus, which answers it', async () => {
    // The same spellings that hid a subquery from the check (promqlCostCases.ts) are not refused for themselves.
    const before = await upstreamRequestCounts();
    for (const query of ['cpu_usage_percent{host="host-\\x61"}', 'cpu_usage_percent{host="host-\\141"} # a\r* 1']) {
      const answer = await queryRangeOver(targetOf(), query);
      expect([answer.status, answer.body]).toEqual([200, expect.stringContaining('"host":"host-a"')]);
    }
    expect((await upstreamRequestCounts()).prometheusApi).toBeGreaterThanOrEqual(before.prometheusApi + 2);
  });

  it.each(HOSTILE_CASES.map((c) => [`${c.class}: ${c.name}`, c] as [string, HostileCase]))('%s', async (_name, c) => {
    const before = await upstreamRequestCounts();
    const proxyBefore = await proxyMetrics();
    const answer = await c.send(targetOf());

    if (c.clientLeaves) {
      expect(answer.status).toBe(0);
      if (c.clientLeaves.handlerRuns) {
        await waitUntil(
          async () => {
            const now = await proxyMetrics();
            return now.aborted > proxyBefore.aborted && now.upstreamInFlight === 0 ? true : undefined;
          },
          { timeoutMs: 10_000, describe: () => `the proxy to abort the work of "${c.name}"\n${proxy.logTail()}` }
        );
      }
      const after = await upstreamRequestCounts();
      const asked = after.prometheusApi - before.prometheusApi + after.influxQueries - before.influxQueries;
      expect(asked).toBeLessThanOrEqual(c.clientLeaves.upstreamRequestsAtMost);
      expect((await proxyMetrics()).trainings).toBe(proxyBefore.trainings);
    } else {
      expect({ status: answer.status, socketError: answer.socketError }).toEqual({
        status: c.status,
        socketError: undefined,
      });
      expect(JSON.parse(answer.body)).toEqual({
        status: 'error',
        errorType: c.errorType,
        error: expect.stringMatching(c.error),
      });
      if (c.keepsConnection) {
        expect(answer.headers.connection).not.toBe('close');
      }
      if (!c.mayAskUpstream) {
        expect(await upstreamRequestCounts()).toEqual(before);
      }
    }
    expect(await influxNames('SHOW DATABASES')).toEqual(initialDatabases);
    expect(await influxNames('SHOW USERS')).toEqual(initialUsers);

    // The proxy still answers, with and without credentials where each is due.
    expect((await rawRequest(proxy.port, { target: '/healthz' })).status).toBe(200);
    const plain = await rawRequest(proxy.port, {
      target: '/api/v1/query?query=1',
      headers: { authorization: `Bearer ${PROXY_TOKEN}` },
    });
    expect([plain.status, plain.body]).toEqual([200, expect.stringContaining('"status":"success"')]);
  });
});
