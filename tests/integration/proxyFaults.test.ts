// The proxy under faults: upstreams that are down, slow or talk nonsense, a restarted proxy, malformed and
// oversized requests, and queries that try to reach hosts that are not configured upstreams.
import { request } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, ProxyUnderTestOptions, startProxyUnderTest } from '../support/proxyUnderTest';
import { stopAfterEach } from '../support/stopAfterEach';
import { startStubUpstream } from '../support/stubUpstream';
import { buildTelemetryDataset, STEP_MS, toPrometheusSeries } from '../support/telemetryDataset';
import { makeTempDir, removeTempDir } from '../support/tempDir';

const dataset = buildTelemetryDataset();
const stopLater = stopAfterEach();
const ANOMALY_QUERY = 'anomaly_flag(cpu_usage_percent{host="host-a"}, contamination=0.01, train="1d")';

let prometheus: PrometheusServer;

beforeAll(async () => {
  prometheus = await startPrometheus({ series: toPrometheusSeries(dataset) });
});

afterAll(async () => {
  await prometheus?.stop();
});

async function startProxy(options: Partial<ProxyUnderTestOptions> = {}) {
  const proxy = await startProxyUnderTest({ prometheusUrl: prometheus.url, ...options });
  return stopLater(proxy);
}

interface Answer {
  status: number;
  body: { status: string; errorType?: string; error?: string; data?: { result: unknown[] } };
}

/** A Grafana-style form POST of a range query over the last 6 hours of the dataset. */
async function queryRange(proxyUrl: string, query: string): Promise<Answer> {
  const response = await fetch(`${proxyUrl}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      query,
      start: String((dataset.end - 6 * 3_600_000) / 1000),
      end: String(dataset.end / 1000),
      step: String(STEP_MS / 1000),
    }),
  });
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function instantQuery(proxyUrl: string, query: string): Promise<Answer> {
  const params = new URLSearchParams({ query, time: String(dataset.end / 1000) });
  const response = await fetch(`${proxyUrl}/api/v1/query?${params}`);
  return { status: response.status, body: (await response.json()) as Answer['body'] };
}

async function metricValue(proxyUrl: string, metric: string): Promise<number> {
  const text = await (await fetch(`${proxyUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${metric} `));
  if (line === undefined) {
    throw new Error(`the proxy's /metrics has no ${metric}:\n${text.slice(0, 2000)}`);
  }
  return Number(line.split(' ')[1]);
}

/** Each query's answer is a 502 in Prometheus' format: the upstream's answer was invalid, as `what` says. */
async function expectInvalidAnswer(proxyUrl: string, queries: string[], what: RegExp): Promise<void> {
  for (const query of queries) {
    const answer = await queryRange(proxyUrl, query);
    expect([query, answer.status, answer.body]).toEqual([
      query,
      502,
      { status: 'error', errorType: 'internal', error: expect.stringMatching(what) },
    ]);
  }
}

describe('an upstream that is down', () => {
  it('gives 503 in Prometheus error format while Prometheus is stopped, and answers again once it is back', async () => {
    const proxy = await startProxy();
    expect((await queryRange(proxy.url, 'cpu_usage_percent')).status).toBe(200);
    expect((await queryRange(proxy.url, ANOMALY_QUERY)).status).toBe(200);

    await prometheus.stopProcess();
    try {
      for (const query of ['cpu_usage_percent', ANOMALY_QUERY]) {
        const down = await queryRange(proxy.url, query);
        expect(down.status).toBe(503);
        expect(down.body).toEqual({
          status: 'error',
          errorType: 'unavailable',
          error: expect.stringContaining('prom'),
        });
      }
    } finally {
      // Same port and data dir: the proxy's configuration still points at it.
      await prometheus.startProcess();
    }

    const plain = await queryRange(proxy.url, 'cpu_usage_percent');
    expect(plain.status).toBe(200);
    expect(plain.body.data!.result).toHaveLength(2);
    const anomaly = await queryRange(proxy.url, ANOMALY_QUERY);
    expect(anomaly.status).toBe(200);
    expect(anomaly.body.data!.result).toHaveLength(1);
  });
});

describe('an upstream slower than its timeout', () => {
  it('gives 503 with errorType timeout, for plain and anomaly queries over Prometheus and InfluxDB', async () => {
    // Answers only after 30 s (or never, once the proxy hangs up).
    const slow = stopLater(
      await startStubUpstream((request, response) => {
        const timer = setTimeout(() => response.end('{"status":"success","data":{}}'), 30_000);
        request.socket.on('close', () => clearTimeout(timer));
      })
    );
    const proxy = await startProxy({
      prometheusUrl: slow.url,
      influx: { url: slow.url, database: 'telemetry' },
      upstreamTimeout: '500ms',
    });
    const influxQuery = `anomaly_flag(influxql("SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host"), upstream="influx")`;
    for (const query of ['cpu_usage_percent', ANOMALY_QUERY, influxQuery]) {
      const answer = await queryRange(proxy.url, query);
      expect([query, answer.status]).toEqual([query, 503]);
      expect(answer.body).toEqual({ status: 'error', errorType: 'timeout', error: expect.stringContaining('500ms') });
    }
    // The requests did reach the slow upstream: the 503s are the proxy giving up, not failing to connect.
    expect(slow.requestPaths()).toEqual([
      '/api/v1/query_range',
      '/api/v1/query_range',
      expect.stringMatching(/^\/query\?/),
    ]);
  });
});

describe('an upstream answering garbage', () => {
  it('gives 502 for anomaly queries over Prometheus and InfluxDB, and for plain queries passed through', async () => {
    const garbage = stopLater(
      await startStubUpstream((_request, response) =>
        response.writeHead(200, { 'Content-Type': 'text/html' }).end('<html><body>It works!</body></html>')
      )
    );
    const proxy = await startProxy({ prometheusUrl: garbage.url, influx: { url: garbage.url, database: 'telemetry' } });
    const influxQuery = `anomaly_score(influxql("SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval)"), upstream="influx")`;
    for (const query of [ANOMALY_QUERY, influxQuery, 'up']) {
      const answer = await queryRange(proxy.url, query);
      expect([query, answer.status]).toEqual([query, 502]);
      expect(answer.body).toEqual({
        status: 'error',
        errorType: 'internal',
        error: expect.stringContaining('invalid answer'),
      });
    }
  });
});

describe('an upstream that does not speak HTTP', () => {
  it('gives 502 (an invalid answer), not 503 unreachable, for anomaly and plain queries', async () => {
    const server = createServer((socket) => {
      socket.on('data', () => socket.end('HTTP/1.1 200 OK\r\nno colon in this header\r\n\r\n'));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stopLater({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const proxy = await startProxy({ prometheusUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
    await expectInvalidAnswer(proxy.url, [ANOMALY_QUERY, 'up'], /invalid answer: not valid HTTP: HPE_/);
  });
});

describe('an upstream answering large nonsense', () => {
  // Answers over 32 KiB are read on a worker thread; what is wrong with one comes back from there, not from a second
  // parse on the event loop (a 100 MB one held /healthz for seconds). Error answers are read on the event loop (they
  // are searched for secrets) and so are kept to 1 MiB.
  it('gives 502 naming what is wrong, read once off the event loop, and 502 for an error answer over 1 MiB', async () => {
    const values = Array.from({ length: 5_000 }, (_, i) => [1_700_000_000 + i * 60, i === 4_000 ? 7 : String(i)]);
    const badSample = JSON.stringify({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu_usage_percent' }, values }] },
    });
    const influxBad = JSON.stringify({
      results: [{ statement_id: 0, series: [{ name: 'cpu', tags: { host: 7 }, columns: ['time', 'v'], values }] }],
    });
    const hugeError = JSON.stringify({ status: 'error', errorType: 'bad_data', error: 'x'.repeat(2 ** 20 + 10) });
    const upstream = stopLater(
      await startStubUpstream((request, response) => {
        const body = request.url?.startsWith('/query') ? influxBad : badSample;
        response.writeHead(200, { 'Content-Type': 'application/json' }).end(body);
      })
    );
    const failing = stopLater(
      await startStubUpstream((_request, response) =>
        response.writeHead(400, { 'Content-Type': 'application/json' }).end(hugeError)
      )
    );
    expect(badSample.length).toBeGreaterThan(32 * 1024);
    const proxy = await startProxy({
      prometheusUrl: upstream.url,
      influx: { url: upstream.url, database: 'telemetry' },
    });
    const influxQuery = `anomaly_score(influxql("SELECT mean(v) FROM cpu WHERE $timeFilter GROUP BY time($interval)"), upstream="influx")`;
    await expectInvalidAnswer(proxy.url, [ANOMALY_QUERY], /invalid answer: a sample is not \[seconds, "value"\]/);
    await expectInvalidAnswer(proxy.url, [influxQuery], /invalid answer: a tag value is not a string/);
    const failingProxy = await startProxy({ prometheusUrl: failing.url });
    await expectInvalidAnswer(
      failingProxy.url,
      [ANOMALY_QUERY, 'up'],
      /invalid answer: HTTP 400 with an error answer of more than 1048576 bytes/
    );
  });
});

describe('an upstream answered for by something in front of it', () => {
  it('gives 502 in Prometheus format for a 401 HTML page and for a redirect (anomaly and plain), and is not ready', async () => {
    // A gateway or auth proxy in front of Prometheus: its 401 page, or a redirect to its login, is not Prometheus'.
    const signIn = stopLater(
      await startStubUpstream((_request, response) =>
        response.writeHead(401, { 'Content-Type': 'text/html' }).end('<html><body>401 Sign in</body></html>')
      )
    );
    const redirect = stopLater(
      await startStubUpstream((_request, response) =>
        response
          .writeHead(302, { 'Content-Type': 'application/json', Location: 'http://login.example/' })
          .end('{"status":"success","data":{"resultType":"matrix","result":[]}}')
      )
    );
    const behindSignIn = await startProxy({ prometheusUrl: signIn.url });
    const behindRedirect = await startProxy({ prometheusUrl: redirect.url });
    for (const [proxy, query, says] of [
      [behindSignIn, ANOMALY_QUERY, 'HTTP 401 without a Prometheus error body'],
      [behindSignIn, 'up', 'HTTP 401 with content-type "text/html"'],
      [behindRedirect, 'up', 'HTTP 302, not an API answer'],
      // An attack review: the redirect's JSON body was read as the answer, a success with no series.
      [behindRedirect, ANOMALY_QUERY, 'HTTP 302, not an API answer'],
    ] as const) {
      const answer = await queryRange(proxy.url, query);
      expect([query, answer.status]).toEqual([query, 502]);
      expect(answer.body).toEqual({ status: 'error', errorType: 'internal', error: expect.stringContaining(says) });
    }
    // ... and /readyz counted the upstream up.
    const readiness = await fetch(`${behindRedirect.url}/readyz`);
    expect(readiness.status).toBe(503);
  });
});

describe('a restarted proxy with a model store', () => {
  it('serves a previously trained query from the store without training again', async () => {
    const modelDir = makeTempDir('proxy-models');
    stopLater({ stop: () => removeTempDir(modelDir) });

    const first = await startProxy({ modelStoreDirectory: modelDir });
    const trained = await queryRange(first.url, ANOMALY_QUERY);
    expect(trained.status).toBe(200);
    expect(await metricValue(first.url, 'telemetry_proxy_model_trainings_total')).toBe(1);
    await first.stop();

    const second = await startProxy({ modelStoreDirectory: modelDir });
    const served = await queryRange(second.url, ANOMALY_QUERY);
    expect(served).toEqual(trained);
    expect(await metricValue(second.url, 'telemetry_proxy_model_trainings_total')).toBe(0);
    expect(await metricValue(second.url, 'telemetry_proxy_model_store_loads_total')).toBeGreaterThanOrEqual(1);
  });
});

/**
 * Malformed anomaly queries; `¦` marks where the error must point (it is removed before sending), so the
 * expected position is the 1-based character number of what follows it.
 */
const MALFORMED_QUERIES = [
  'anomaly_flag(up¦',
  'anomaly_flag(¦)',
  'anomaly_flag(up,¦)',
  'anomaly_flag(up, contamination=¦0.9)',
  'anomaly_flag(up, contamination=¦-1)',
  'anomaly_flag(up, ¦bogus=1)',
  'anomaly_flag(up, train=¦"banana")',
  'anomaly_flag(up, trees=¦0)',
  'anomaly_flag(up, window=¦1.5)',
  'anomaly_flag(up, mode=¦"sideways")',
  'anomaly_flag(up, seasonality=¦maybe)',
  'anomaly_flag(up, upstream=¦"nope")',
  'anomaly_flag(up, train=¦"1d", train_start="2024-01-01T00:00:00Z", train_end="2024-01-02T00:00:00Z")',
  'anomaly_flag(up, train_start=¦"2024-01-01T00:00:00Z")',
  'anomaly_flag(up, train_start="2024-01-02T00:00:00Z", train_end=¦"2024-01-01T00:00:00Z")',
  'anomaly_flag(up, contamination=0.1, ¦contamination=0.2)',
  'anomaly_flag(up, step=¦"0s")',
  'anomaly_flag(up, seed=¦1e20)',
  'anomaly_flag(up, by=¦"not a label")',
  'sum(¦anomaly_flag(up))',
  'anomaly_flag(up) ¦+ 1',
  'anomaly_flag(¦anomaly_score(up))',
  'anomaly_flag(up) > 0 ¦and up',
  'anomaly_flag(up) > 0 ¦> 1',
  'anomaly_flag(up) > ¦"x"',
  'anomaly_flag(up) >¦',
  'anomaly_flag(influxql(¦42))',
  'anomaly_flag(influxql("SELECT 1"¦',
  '¦influxql("SELECT 1")',
  'anomaly_flag(up{host=¦"a)',
  'anomaly_flag(rate(up[5m¦)))',
];

describe('malformed anomaly queries', () => {
  let proxy: ProxyUnderTest;
  beforeAll(async () => {
    proxy = await startProxyUnderTest({ prometheusUrl: prometheus.url });
  });
  afterAll(async () => {
    await proxy?.stop();
  });

  it.each(MALFORMED_QUERIES)('%s → 400 bad_data pointing at ¦', async (marked) => {
    const query = marked.replace('¦', '');
    const position = marked.indexOf('¦') + 1;
    for (const answer of [await instantQuery(proxy.url, query), await queryRange(proxy.url, query)]) {
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error: expect.stringMatching(new RegExp(`^parse error at char ${position}: `)),
      });
    }
  });
});

describe('oversized request bodies', () => {
  it('gives 413 in Prometheus error format above the configured body limit, and answers below it', async () => {
    const bodyLimit = 4096;
    const proxy = await startProxy({ bodyLimit });
    // The query comes last and ends in a PromQL comment, so padding it does not change what it asks.
    const postWithBodyOf = async (bytes: number) => {
      const base = new URLSearchParams({ time: String(dataset.end / 1000), query: 'cpu_usage_percent #' }).toString();
      const body = base + 'x'.repeat(bytes - base.length);
      const response = await fetch(`${proxy.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body,
      });
      return { status: response.status, body: await response.json() };
    };
    expect((await postWithBodyOf(bodyLimit - 100)).status).toBe(200);
    for (const bytes of [bodyLimit + 1, 10 * bodyLimit, 2 * 1024 * 1024]) {
      const answer = await postWithBodyOf(bytes);
      expect([bytes, answer.status]).toEqual([bytes, 413]);
      expect(answer.body).toEqual({
        status: 'error',
        errorType: 'bad_data',
        error: expect.stringContaining(String(bodyLimit)),
      });
    }
  });
});

describe('queries naming a host that is not a configured upstream', () => {
  it('are refused or stay on the configured upstreams: nothing connects to that host', async () => {
    const forbidden = stopLater(await startStubUpstream());
    const proxy = await startProxy();
    const target = `127.0.0.1:${forbidden.port}`;
    const refused = [
      `anomaly_flag(up, upstream="${forbidden.url}/")`,
      `anomaly_flag(up, upstream="${target}")`,
      `anomaly_score(influxql("SELECT mean(x) FROM y WHERE $timeFilter GROUP BY time($interval)"), upstream="${forbidden.url}")`,
      // A URL where the expression belongs: Prometheus refuses to parse it.
      `anomaly_flag(${forbidden.url}/api/v1/query)`,
    ];
    for (const query of refused) {
      const answer = await queryRange(proxy.url, query);
      expect([query, answer.status, answer.body.status]).toEqual([query, 400, 'error']);
    }
    // Harmless on the configured upstream: the host appears only as a label value or an unknown parameter.
    const plain = await instantQuery(proxy.url, `up{instance="${target}"}`);
    expect(plain.status).toBe(200);
    const extraParam = await fetch(`${proxy.url}/api/v1/query?query=up&upstream=${encodeURIComponent(forbidden.url)}`);
    expect(extraParam.status).toBe(200);
    // A label "name" that is a path or a URL never becomes part of the upstream path.
    for (const name of [encodeURIComponent('../../../'), encodeURIComponent(forbidden.url)]) {
      const response = await fetch(`${proxy.url}/api/v1/label/${name}/values`);
      expect([name, response.status]).toEqual([name, 400]);
    }

    expect(forbidden.connectionCount()).toBe(0);
  });
});

describe('a plain answer streamed through', () => {
  /** A JSON answer of `chunks` HTTP chunks of 1–97 bytes, written in bursts over several event-loop turns. */
  const chunkedAnswer = (chunks: number) => {
    const pieces = Array.from({ length: chunks }, (_, i) => `"${'x'.repeat((i * 37) % 96)}",`);
    return { pieces: ['{"status":"success","data":[', ...pieces, '"end"]}'], text: '' };
  };

  it('arrives byte for byte, whatever chunks the upstream framed it in', async () => {
    const answer = chunkedAnswer(600);
    answer.text = answer.pieces.join('');
    const upstream = stopLater(
      await startStubUpstream((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        const writeBurst = (from: number) => {
          const to = Math.min(answer.pieces.length, from + 1 + (from % 50));
          answer.pieces.slice(from, to).forEach((piece) => response.write(piece));
          if (to < answer.pieces.length) {
            setImmediate(() => writeBurst(to));
          } else {
            response.end();
          }
        };
        writeBurst(0);
      })
    );
    const proxy = await startProxy({ prometheusUrl: upstream.url });
    for (const query of ['up', 'rate(x[5m])']) {
      const response = await fetch(`${proxy.url}/api/v1/query?query=${encodeURIComponent(query)}`);
      expect([response.status, response.headers.get('content-type')]).toEqual([200, 'application/json']);
      expect(await response.text()).toBe(answer.text);
    }
  });

  it('is cut off at the client, not passed on as complete, when the upstream drops it half-way', async () => {
    const dropped: Array<() => void> = [];
    const upstream = stopLater(
      await startStubUpstream((request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        if (request.url?.includes('whole')) {
          response.end('{"status":"success","data":{"resultType":"vector","result":[]}}');
          return;
        }
        response.write('{"status":"success","data":{"resultType":"vector","result":[');
        dropped.push(() => response.socket?.destroy());
      })
    );
    const proxy = await startProxy({ prometheusUrl: upstream.url });
    const cut = await fetch(`${proxy.url}/api/v1/query?query=up`);
    expect(cut.status).toBe(200); // the status went out with the first bytes
    const reader = cut.body!.getReader();
    expect((await reader.read()).done).toBe(false);
    dropped.forEach((drop) => drop()); // the upstream goes away once the first bytes reached the client
    await expect(
      (async () => {
        while (!(await reader.read()).done) {
          // what else arrives, until the end or the error
        }
      })()
    ).rejects.toThrow();
    const whole = await fetch(`${proxy.url}/api/v1/query?query=up&whole=1`);
    expect([whole.status, await whole.json()]).toEqual([
      200,
      { status: 'success', data: { resultType: 'vector', result: [] } },
    ]);
  });

  it('is a 503 in Prometheus format when the upstream sends its headers and then nothing, or goes away', async () => {
    // Before: 500 "internal error: aborted" (or "... did not send its answer within its timeout"), logged as the
    // proxy's own error, and not counted as an upstream error.
    const upstream = stopLater(
      await startStubUpstream((request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        response.flushHeaders();
        if (request.url?.includes('gone')) {
          setImmediate(() => response.socket?.destroy());
        }
      })
    );
    const proxy = await startProxy({ prometheusUrl: upstream.url, upstreamTimeout: '1s' });
    const silent = await fetch(`${proxy.url}/api/v1/query?query=up`);
    expect([silent.status, await silent.json()]).toEqual([
      503,
      {
        status: 'error',
        errorType: 'timeout',
        error: expect.stringMatching(/did not send its whole answer within 1s/),
      },
    ]);
    const gone = await fetch(`${proxy.url}/api/v1/query?query=up&gone=1`);
    expect([gone.status, await gone.json()]).toEqual([
      503,
      { status: 'error', errorType: 'unavailable', error: expect.stringMatching(/broke off its answer/) },
    ]);
    for (const kind of ['timeout', 'unreachable']) {
      const metric = `telemetry_proxy_upstream_errors_total{upstream="prom",kind="${kind}"}`;
      expect(await metricValue(proxy.url, metric)).toBe(1);
    }
    expect(proxy.logTail(50)).not.toMatch(/internal error/);
  });

  it('stops being read from the upstream when the client goes away', async () => {
    let upstreamClosed!: () => void;
    const closed = new Promise<void>((resolve) => (upstreamClosed = resolve));
    const upstream = stopLater(
      await startStubUpstream((_request, response) => {
        response.writeHead(200, { 'Content-Type': 'application/json' });
        response.write('{"status":"success","data":{"resultType":"vector","result":[');
        response.on('close', () => upstreamClosed());
      })
    );
    // The upstream's timeout is far beyond the test's: only the client going away can end the read.
    const proxy = await startProxy({ prometheusUrl: upstream.url, upstreamTimeout: '1h' });
    // A client that vanishes after the first bytes (its socket closed), as a browser tab or Grafana giving up does.
    const client = request(`${proxy.url}/api/v1/query?query=up`, (response) =>
      response.once('data', () => client.destroy())
    );
    client.on('error', () => undefined);
    client.end();
    await closed; // the proxy closed its upstream connection (else this waits until the test's timeout)
  });
});

describe('an upstream answering native histograms', () => {
  it('scores the float series of the answer instead of refusing it whole (a histogram series has no float samples)', async () => {
    // A stand-in: Prometheus 2.42 writes native histograms only for a protobuf scrape behind a feature flag. Shape as
    // prometheus/prometheus web/api/v1 writes it: "histograms" instead of "values".
    const upstream = stopLater(
      await startStubUpstream((request, response) => {
        let body = '';
        request.on('data', (chunk: Buffer) => (body += chunk));
        request.on('end', () => {
          const form = new URLSearchParams(body);
          const [start, end, step] = ['start', 'end', 'step'].map((name) => Number(form.get(name)));
          const steps = Array.from({ length: Math.floor((end - start) / step) + 1 }, (_, i) => start + i * step);
          const result = [
            { metric: { __name__: 'cpu' }, values: steps.map((t, i) => [t, String(40 + (i % 9))]) },
            {
              metric: { __name__: 'latency' },
              histograms: steps.map((t) => [t, { count: '2', sum: '1', buckets: [] }]),
            },
          ];
          response
            .writeHead(200, { 'content-type': 'application/json' })
            .end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
        });
      })
    );
    const proxy = await startProxy({ prometheusUrl: upstream.url });
    const answer = await queryRange(proxy.url, 'anomaly_score({__name__=~"cpu|latency"}, train="1h")');
    expect(answer.status).toBe(200);
    // Only cpu (its name dropped, as Prometheus drops it from a function's result); latency had nothing to score.
    expect((answer.body.data!.result as Array<{ metric: Record<string, string> }>).map((s) => s.metric)).toEqual([{}]);
  });
});
