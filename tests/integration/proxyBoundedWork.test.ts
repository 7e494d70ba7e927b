// Work the proxy starts for a request ends with it: a client that goes away cancels its upstream requests and its
// training, limits.queryTimeout stops a query, and SIGTERM lets in-flight requests finish for server.shutdownGrace,
// then aborts them and exits. The upstream is held on demand (a real Prometheus cannot be told to be slow).
import { ChildProcess, spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { MAX_WAITING_PER_CONNECTION } from '@telemetry-analyzer/proxy';
import { findFreePort } from '../support/freePort';
import { HeldUpstream, startHeldUpstream } from '../support/heldUpstream';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { exchange, rawRequest } from '../support/rawHttp';
import { stopAfterEach } from '../support/stopAfterEach';
import { makeTempDir, removeTempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitUntil';
import { REPO_ROOT } from './stackFiles';
import { buildWorkspaces } from '../../pkg/buildWorkspaces';

const stopLater = stopAfterEach();
const END_S = 1_700_000_000;
const ANOMALY = 'anomaly_flag(cpu, train="1h")';

/** A query_range answer with one series of `points` samples at 60 s ending at END_S. */
function matrix(points: number): string {
  const values = Array.from({ length: points }, (_, i) => [END_S - (points - 1 - i) * 60, String(10 + (i % 7))]);
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu' }, values }] },
  });
}

function rangeQueryRequest(query: string, extra: Record<string, string> = {}) {
  const body = new URLSearchParams({
    query,
    start: String(END_S - 3600),
    end: String(END_S),
    step: '60',
    ...extra,
  }).toString();
  return (
    `POST /api/v1/query_range HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-type: application/x-www-form-urlencoded\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

async function waitForHeld(upstream: HeldUpstream, count: number) {
  return waitUntil(async () => (upstream.held().length >= count ? upstream.held() : undefined), {
    timeoutMs: 10_000,
    describe: () => `${count} requests held by the upstream (have ${upstream.held().length})`,
  });
}

async function waitForAbandoned(upstream: HeldUpstream, index: number) {
  await waitUntil(async () => (upstream.held()[index].abandoned ? true : undefined), {
    timeoutMs: 10_000,
    describe: () => `the proxy to give up upstream request ${index} (${upstream.held()[index].path})`,
  });
}

describe('a client that goes away', () => {
  it('cancels the upstream request its anomaly query waits for', async () => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
    const gone = exchange(proxy.port, (socket) => {
      socket.write(rangeQueryRequest(ANOMALY));
      void waitForHeld(upstream, 1).then(() => socket.destroy());
    });
    await gone;
    await waitForAbandoned(upstream, 0);
    expect(upstream.held()).toHaveLength(1);
    expect((await rawRequest(proxy.port, { target: '/healthz' })).status).toBe(200);
  });

  it('cancels the training it alone waited for: its fetch is abandoned and nothing further is asked', async () => {
    // The scored range comes back at once; the training range (it ends before the scored range starts) is held.
    const upstream = stopLater(
      await startHeldUpstream((_request, body) =>
        Number(new URLSearchParams(body).get('end')) >= END_S ? matrix(80) : undefined
      )
    );
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
    await exchange(proxy.port, (socket) => {
      socket.write(rangeQueryRequest(ANOMALY));
      void waitForHeld(upstream, 1).then(() => socket.destroy());
    });
    await waitForAbandoned(upstream, 0);
    const metrics = await (await fetch(`${proxy.url}/metrics`)).text();
    expect(metrics).toMatch(/^telemetry_proxy_model_trainings_total 0$/m);
    expect(upstream.held()).toHaveLength(1);
  });
});

/** A pass-through instant query, kept alive (for pipelining several on one connection). */
function pipelinedQuery(i: number): string {
  const body = new URLSearchParams({ query: `up + ${i}`, time: String(END_S) }).toString();
  return (
    `POST /api/v1/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`
  );
}

/** Answers the upstream's `index`-th held request with an empty vector that names its query (pipelinedQuery's). */
function answerEchoingQuery(upstream: HeldUpstream, index: number): void {
  const held = upstream.held()[index];
  const query = new URLSearchParams(held.body).get('query');
  held.answer(200, JSON.stringify({ status: 'success', data: { resultType: 'vector', result: [], query } }));
}

/** A query_range answer with one series `cpu` on every step of the request's form (start, end, step). */
function matrixOver(form: URLSearchParams): string {
  const [start, end, step] = ['start', 'end', 'step'].map((name) => Number(form.get(name)));
  const values: Array<[number, string]> = [];
  for (let t = start, i = 0; t <= end; t += step, i++) {
    values.push([t, String(10 + (i % 7))]);
  }
  return JSON.stringify({
    status: 'success',
    data: { resultType: 'matrix', result: [{ metric: { __name__: 'cpu' }, values }] },
  });
}

describe('a request asking to Upgrade', () => {
  it('is answered and its connection closed: a request pipelined behind it would never be', async () => {
    // node:http reads nothing more on a connection after a request with Upgrade; before, the second request here
    // waited unanswered until the connection's idle timeout.
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
    const answer = await exchange(proxy.port, (socket) =>
      socket.write(
        'GET /healthz HTTP/1.1\r\nhost: x\r\nconnection: upgrade\r\nupgrade: websocket\r\n\r\n' +
          'GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'
      )
    );
    expect([answer.status, answer.headers.connection]).toEqual([200, 'close']);
  });
});

describe('limits.maxQueriesInFlight', () => {
  it('bounds anomaly queries at once, warm or cold: the rest wait before asking the upstream anything', async () => {
    // A review: with only trainings bounded, 12 cold queries had 12 upstream reads in flight at once (3 before).
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(
      await startProxyUnderTest({ prometheusUrl: upstream.url, limits: { maxQueriesInFlight: 3, maxConcurrency: 1 } })
    );
    const clients = Array.from({ length: 6 }, () => new AbortController());
    const answers = clients.map((client, seed) =>
      fetch(`${proxy.url}/api/v1/query_range`, {
        method: 'POST',
        signal: client.signal,
        body: new URLSearchParams({
          query: `anomaly_flag(cpu, train="1h", seed=${seed})`,
          start: String(END_S - 3600),
          end: String(END_S),
          step: '60',
        }),
      }).catch(() => undefined)
    );
    await waitForHeld(upstream, 3);
    const metrics = async () => (await fetch(`${proxy.url}/metrics`)).text();
    const gauges = await waitUntil(
      async () => {
        const text = await metrics();
        return /^telemetry_proxy_anomaly_queries_waiting 3$/m.test(text) ? text : undefined;
      },
      { timeoutMs: 10_000, describe: () => 'three queries waiting for a turn' }
    );
    expect(gauges).toMatch(/^telemetry_proxy_anomaly_queries_in_flight 3$/m);
    expect(upstream.held()).toHaveLength(3);
    clients.forEach((client) => client.abort());
    await Promise.all(answers);
  });
});

describe('limits.maxConcurrency', () => {
  /**
   * A proxy with one training turn over an upstream that holds the training windows of `cold` queries (they end
   * before the scored range) and answers everything else at once; `query` sends a range query, `waitForWaiting`
   * waits until `count` trainings wait for a turn.
   */
  async function oneTrainingTurn(limits: Record<string, number> = {}) {
    const upstream = stopLater(
      await startHeldUpstream((_request, body) => {
        const form = new URLSearchParams(body);
        const coldTraining = form.get('query')?.includes('cold') && Number(form.get('end')) < END_S;
        return coldTraining ? undefined : matrixOver(form);
      })
    );
    const proxy = stopLater(
      await startProxyUnderTest({ prometheusUrl: upstream.url, limits: { maxConcurrency: 1, ...limits } })
    );
    const query = (expression: string) =>
      fetch(`${proxy.url}/api/v1/query_range`, {
        method: 'POST',
        body: new URLSearchParams({ query: expression, start: String(END_S - 3600), end: String(END_S), step: '60' }),
      });
    const metrics = async () => (await fetch(`${proxy.url}/metrics`)).text();
    const waitForWaiting = (count: number) =>
      waitUntil(
        async () =>
          new RegExp(`^telemetry_proxy_trainings_waiting ${count}$`, 'm').test(await metrics()) ? true : undefined,
        { timeoutMs: 10_000, describe: () => `${count} training(s) waiting for a turn` }
      );
    return { upstream, query, metrics, waitForWaiting };
  }

  it('bounds trainings only: a query whose models are cached answers while cold queries hold every turn', async () => {
    // A review: a warm alert rule waited 43 s behind four cold dashboard queries (every evaluation took a turn), past
    // Grafana's 30 s.
    const { upstream, query, metrics, waitForWaiting } = await oneTrainingTurn();
    expect((await query(ANOMALY)).status).toBe(200); // trains its model: warm from now on

    const coldOne = query('anomaly_flag(cold, train="1h")');
    await waitForHeld(upstream, 1); // the first training holds the only turn
    const coldTwo = query('anomaly_flag(cold, train="1h", seed=7)');
    await waitForWaiting(1);

    const warm = await query(ANOMALY);
    expect(warm.status).toBe(200);
    expect(((await warm.json()) as { data: { result: unknown[] } }).data.result).toHaveLength(1);
    const during = await metrics();
    expect(during).toMatch(/^telemetry_proxy_trainings_running 1$/m);
    expect(during).toMatch(/^telemetry_proxy_trainings_waiting 1$/m);
    expect(during).toMatch(/^telemetry_proxy_model_trainings_total 1$/m); // the warm query's own, before

    // Each held training, answered, lets the next one have the turn.
    for (let index = 0; index < 2; index++) {
      const [held] = (await waitForHeld(upstream, index + 1)).slice(index);
      held.answer(200, matrixOver(new URLSearchParams(held.body)));
    }
    expect([(await coldOne).status, (await coldTwo).status]).toEqual([200, 200]);
    expect(await metrics()).toMatch(/^telemetry_proxy_model_trainings_total 3$/m);
  });

  it('lets a warm query through while cold queries waiting for trainings fill limits.maxQueriesInFlight', async () => {
    // An attack review: 40 cold queries held all 32 query turns while 4 trained, and a warm alert rule's query waited
    // 112 s. A query waiting for trainings lends its turn.
    const { upstream, query, metrics, waitForWaiting } = await oneTrainingTurn({ maxQueriesInFlight: 2 });
    expect((await query(ANOMALY)).status).toBe(200); // warm from now on
    const cold = [0, 1, 2].map((seed) => query(`anomaly_flag(cold, train="1h", seed=${seed})`));
    await waitForHeld(upstream, 1);
    await waitForWaiting(2); // three cold queries in, more than maxQueriesInFlight: one training, two waiting
    const warm = await query(ANOMALY);
    expect(warm.status).toBe(200);
    expect(await metrics()).toMatch(/^telemetry_proxy_anomaly_queries_waiting 0$/m);
    for (let index = 0; index < 3; index++) {
      const [held] = (await waitForHeld(upstream, index + 1)).slice(index);
      held.answer(200, matrixOver(new URLSearchParams(held.body)));
    }
    expect((await Promise.all(cold)).map((answer) => answer.status)).toEqual([200, 200, 200]);
  });

  it('gives an online query (it trains at every evaluation) a turn too: it waits while a training holds the only one', async () => {
    const { upstream, query, waitForWaiting } = await oneTrainingTurn();
    const cold = query('anomaly_flag(cold, train="1h")');
    const [held] = await waitForHeld(upstream, 1);
    const online = query('anomaly_flag(cpu, online=true, train="2h")');
    await waitForWaiting(1);
    held.answer(200, matrixOver(new URLSearchParams(held.body)));
    expect([(await cold).status, (await online).status]).toEqual([200, 200]);
  });
});

describe('pipelined requests', () => {
  // node:http dispatches all of a connection's pipelined requests at once: one connection held thousands of
  // upstream requests (server.maxConnections bounds connections, not requests). Go's server, Prometheus', serves them
  // one at a time, and so does the proxy now (requestTurns.ts).
  it('of one connection reach the upstream one at a time, and are all answered in order', async () => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
    const count = 5;
    let mostInFlight = 0;
    const received: string[] = [];
    const answers = new Promise<void>((resolve, reject) => {
      const socket = connect(proxy.port, '127.0.0.1', () => {
        socket.write(Array.from({ length: count }, (_, i) => pipelinedQuery(i)).join(''));
      });
      socket.on('data', (chunk: Buffer) => {
        received.push(chunk.toString('latin1'));
        if ((received.join('').match(/HTTP\/1\.1 200 /g) ?? []).length === count) {
          socket.destroy();
          resolve();
        }
      });
      socket.on('error', reject);
    });
    for (let answered = 0; answered < count; answered++) {
      await waitForHeld(upstream, answered + 1);
      mostInFlight = Math.max(mostInFlight, upstream.held().length - answered);
      answerEchoingQuery(upstream, answered);
    }
    await answers;
    expect(mostInFlight).toBe(1);
    // In the order sent: answer k is the k-th request's.
    expect([...received.join('').matchAll(/"query":"up \+ (\d)"/g)].map((m) => Number(m[1]))).toEqual([0, 1, 2, 3, 4]);
  });

  it(`answers the requests it took, then closes a connection with more than ${MAX_WAITING_PER_CONNECTION} waiting`, async () => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
    // One in flight (held by the upstream), as many as may wait behind it, and one more: it reaches no upstream, gets
    // no answer, and the connection is closed after the others' (a client retries it on a new one). It was closed at
    // once before, and the answers of those it had taken were lost.
    const sent = Array.from({ length: MAX_WAITING_PER_CONNECTION + 2 }, (_, i) => pipelinedQuery(i)).join('');
    const last = exchange(proxy.port, (socket) => socket.write(sent), 'last');
    for (let answered = 0; answered <= MAX_WAITING_PER_CONNECTION; answered++) {
      await waitForHeld(upstream, answered + 1);
      answerEchoingQuery(upstream, answered);
    }
    const answer = await last;
    expect([answer.status, JSON.parse(answer.body).data.query]).toEqual([200, `up + ${MAX_WAITING_PER_CONNECTION}`]);
    expect(upstream.held()).toHaveLength(MAX_WAITING_PER_CONNECTION + 1);
    expect((await rawRequest(proxy.port, { target: '/healthz' })).status).toBe(200);
  });
});

describe('limits.queryTimeout', () => {
  it.each([
    ['the limit', '1s', {}, 'limits.queryTimeout'],
    // As Prometheus takes it (Grafana sends its datasource's query timeout so): the shorter of it and the limit.
    ["a request's shorter timeout parameter", '2m', { timeout: '1s' }, "the request's timeout parameter"],
    ["the limit, below a request's longer timeout parameter", '1s', { timeout: '300' }, 'limits.queryTimeout'],
  ])('answers 503 timeout naming %s and abandons the upstream request', async (_name, limit, extra, by) => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = stopLater(
      await startProxyUnderTest({ prometheusUrl: upstream.url, limits: { queryTimeout: limit } })
    );
    const answer = await exchange(proxy.port, (socket) => socket.write(rangeQueryRequest(ANOMALY, extra)));
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toEqual({
      status: 'error',
      errorType: 'timeout',
      error: `query timed out after 1s (${by})`,
    });
    await waitForAbandoned(upstream, 0);
  });

  // 1e300 and 1e400 seconds as Prometheus reads them: beyond int64 nanoseconds, no duration (a review found them taken).
  it.each(['soon', '1e300', '1e400'])(
    'refuses a timeout parameter that is not a duration (%s) before any work',
    async (timeout) => {
      const upstream = stopLater(await startHeldUpstream());
      const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: upstream.url }));
      const answer = await exchange(proxy.port, (socket) => socket.write(rangeQueryRequest(ANOMALY, { timeout })));
      expect([answer.status, JSON.parse(answer.body).error]).toEqual([
        400,
        `invalid parameter "timeout": cannot parse "${timeout}" to a valid duration`,
      ]);
      expect(upstream.held()).toHaveLength(0);
    }
  );
});

describe('SIGTERM', () => {
  let dir: string;
  beforeAll(() => {
    buildWorkspaces();
    dir = makeTempDir('proxy-sigterm');
  });
  afterAll(() => removeTempDir(dir));

  /** `telemetry-analyzer serve` as operators run it; resolves once it answers /healthz. */
  async function serve(upstreamUrl: string, shutdownGrace: string) {
    const port = await findFreePort();
    const configFile = join(dir, `proxy-${port}.yml`);
    writeFileSync(
      configFile,
      [
        `listen: 127.0.0.1:${port}`,
        'upstreams:',
        `  prom: { type: prometheus, url: "${upstreamUrl}" }`,
        `server: { shutdownGrace: ${shutdownGrace} }`,
        'log: { level: warn }',
      ].join('\n')
    );
    const child = spawn(process.execPath, ['pkg/cli/bin/telemetry-analyzer.js', 'serve', '--config', configFile], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    stopLater({ stop: () => void child.kill('SIGKILL') });
    await waitUntil(async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined), {
      timeoutMs: 20_000,
      describe: () => `telemetry-analyzer serve to answer /healthz\n${output}`,
    });
    return { port, child, exited, output: () => output };
  }

  async function sigtermWhileHeld(upstream: HeldUpstream, proxy: { port: number; child: ChildProcess }) {
    const answer = exchange(proxy.port, (socket) => socket.write(rangeQueryRequest('cpu')));
    await waitForHeld(upstream, 1);
    proxy.child.kill('SIGTERM');
    return answer;
  }

  it('lets an in-flight request finish within the grace, then exits 0', async () => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = await serve(upstream.url, '30s');
    const answer = sigtermWhileHeld(upstream, proxy);
    await waitUntil(async () => (/SIGTERM received/.test(proxy.output()) ? true : undefined), {
      timeoutMs: 10_000,
      describe: () => `the proxy to log the SIGTERM\n${proxy.output()}`,
    });
    upstream.held()[0].answer(200, matrix(3));
    expect((await answer).status).toBe(200);
    expect(await proxy.exited).toBe(0);
    expect(proxy.output()).toMatch(/all requests finished/);
    // Nothing else on the operator's console: no Node.js or fastify (deprecation) warnings.
    expect(proxy.output()).not.toMatch(/warning/i);
  });

  it('aborts what is still in flight after the grace (503, upstream request abandoned) and exits 0', async () => {
    const upstream = stopLater(await startHeldUpstream());
    const proxy = await serve(upstream.url, '1s');
    const answer = await sigtermWhileHeld(upstream, proxy);
    expect(answer.status).toBe(503);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'error', errorType: 'unavailable' });
    expect(await proxy.exited).toBe(0);
    expect(proxy.output()).toMatch(/in-flight requests aborted/);
    await waitForAbandoned(upstream, 0);
  });
});
