// A client that asks and never reads its anomaly answer (an attack review: 20 such connections held 20 answers of
// 67 MB in the proxy's memory for as long as the client kept them open). The connection is closed once nothing more of
// the answer could be written for server.writeTimeout, counted in telemetry_proxy_answers_stalled_total; clients that
// read keep their answers whole, however large; and a shutdown lets an answer being read finish.
import { connect } from 'node:net';
import { parseRawAnswer } from '../../../tests/support/rawHttp';
import type { RunningProxy } from '../src/server';
import { type ProxyOverFakes, startProxyOverFakes } from './support/proxyOverFakes';

const STEP = 60_000;
const END = 1_700_000_000_000;
/** 60 series x 8 000 steps: more than the sockets' buffers take on loopback. */
const SERIES = 60;
const STEPS = 8_000;
/** An anomaly answer of ~16 MB: computed by the proxy and written whole (a plain answer streams from upstream). */
const PATH = `/api/v1/query_range?${new URLSearchParams({
  query: 'anomaly_score(cpu, train="6h", step="1m", trees=10, seasonality=false, seed=1)',
  start: String((END - (STEPS - 1) * STEP) / 1000),
  end: String(END / 1000),
  step: '60',
})}`;

/** The fake Prometheus' `cpu` series, one per host. */
function cpuSeries() {
  return Array.from({ length: SERIES }, (_, i) => ({
    labels: { __name__: 'cpu', instance: `host-${i}` },
    valueAt: (t: number) => 50 + i + Math.sin(t / STEP),
  }));
}

let proxy: RunningProxy;
let stack: ProxyOverFakes;

beforeAll(async () => {
  stack = await startProxyOverFakes({ prom: cpuSeries() }, ['server: { writeTimeout: 1s }']);
  proxy = stack.proxy;
});

afterAll(async () => {
  await stack?.close();
});

/** A metric's value, as the proxy's /metrics reads now. */
async function gauge(of: RunningProxy, name: string): Promise<number> {
  const text = await (await fetch(`${of.url}/metrics`)).text();
  return Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1]);
}

function stalledAnswers(of: RunningProxy = proxy): Promise<number> {
  return gauge(of, 'telemetry_proxy_answers_stalled_total');
}

/** Sends a request on a raw connection that reads nothing until `resumeWhen` holds, then reads to the end. */
function unreadRequest(
  resumeWhen: () => Promise<boolean>,
  port: number = proxy.port
): Promise<{ bytes: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', () => undefined); // a reset after the proxy gave up on it: what was received counts
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('close', () => {
      const all = Buffer.concat(chunks);
      resolve({ bytes: all.length, text: all.toString('latin1') });
    });
    socket.write(`GET ${PATH} HTTP/1.1\r\nhost: x\r\n\r\n`);
    socket.pause();
    const poll = async () => {
      try {
        if (await resumeWhen()) {
          socket.resume();
          return;
        }
        setTimeout(poll, 100);
      } catch (error) {
        reject(error);
      }
    };
    void poll();
  });
}

/** A second, cold anomaly query (its own seed: a model of its own) that computes for a while before answering. */
const COLD_PATH = PATH.replace('seed%3D1', 'seed%3D2').replace('trees%3D10', 'trees%3D60');

/** Sends `paths` pipelined on one connection and reads everything until it closes; calls `onFirstData` once. */
function pipelined(port: number, paths: string[], onFirstData = () => undefined): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('error', reject);
    socket.on('data', (chunk) => {
      if (chunks.length === 0) {
        onFirstData();
      }
      chunks.push(chunk);
    });
    socket.on('end', () => resolve(Buffer.concat(chunks).toString('latin1')));
    const last = paths.length - 1;
    socket.write(
      paths
        .map((path, i) => `GET ${path} HTTP/1.1\r\nhost: x\r\n${i === last ? 'connection: close\r\n' : ''}\r\n`)
        .join('')
    );
  });
}

const statuses = (text: string) => text.match(/HTTP\/1\.1 \d{3}/g) ?? [];

describe('answers a client does not read', () => {
  it('are given up after server.writeTimeout: the connection closes, counted, and the proxy answers others', async () => {
    const before = await stalledAnswers();
    const unread = await unreadRequest(async () => (await stalledAnswers()) > before);
    expect(await stalledAnswers()).toBe(before + 1);
    // Only what the sockets had taken before the proxy gave up arrived: not the whole answer.
    expect(unread.text.startsWith('HTTP/1.1 200')).toBe(true);
    const whole = await (await fetch(`${proxy.url}${PATH}`)).text();
    expect(unread.bytes).toBeLessThan(whole.length);
    expect(JSON.parse(whole).data.result).toHaveLength(SERIES);
    expect((await fetch(`${proxy.url}/healthz`)).status).toBe(200);
  });

  it('hold their turn of limits.maxQueriesInFlight until given up: the answers held for readers stay that many', async () => {
    // An attack review: the turn ended with the evaluation, so clients reading a little every 10 s kept twice the
    // limit's answers (28 MB each) in memory, and climbing.
    const limited = await startProxyOverFakes({ prom: cpuSeries() }, [
      'server: { writeTimeout: 1s }',
      'limits: { maxQueriesInFlight: 1 }',
    ]);
    try {
      // The model trained first: a query waiting for a training lends its turn (ConcurrencyLimit.lend).
      expect((await fetch(`${limited.proxy.url}${PATH}`)).status).toBe(200);
      const events: string[] = [];
      const before = await stalledAnswers(limited.proxy);
      const unread = unreadRequest(async () => {
        const given = (await stalledAnswers(limited.proxy)) > before;
        if (given) {
          events.push('unread answer given up');
        }
        return given;
      }, limited.proxy.port);
      // Once the unread query has its turn, the same query again (its model shared): it waits for that turn.
      while ((await gauge(limited.proxy, 'telemetry_proxy_anomaly_queries_in_flight')) < 1) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const second = fetch(`${limited.proxy.url}${PATH}`).then(async (response) => {
        events.push(`second answered ${response.status}`);
        return (await response.json()) as { data: { result: unknown[] } };
      });
      expect((await second).data.result).toHaveLength(SERIES);
      await unread;
      expect(events).toEqual(['unread answer given up', 'second answered 200']);
    } finally {
      await limited.close();
    }
  });

  it('does not cut a pipelined request that computes longer than the write timeout after an answer', async () => {
    // A review: node:http gives the socket to the queued response without a keep-alive timeout, so the answer's
    // write timeout stayed and cut the next request after 1 s.
    const text = await pipelined(proxy.port, [PATH, COLD_PATH]);
    expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
  });

  it('a client that reads slowly but steadily gets its whole answer', async () => {
    const before = await stalledAnswers();
    const response = await fetch(`${proxy.url}${PATH}`);
    const reader = response.body!.getReader();
    let bytes = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        break;
      }
      bytes += value.length;
      // 5 ms between chunks over the first 2 MB: slower than the answer is made, never stalled for a second.
      if (bytes < 2_000_000) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(await stalledAnswers()).toBe(before);
  });
});

describe('a shutdown while an answer is still being read', () => {
  it('lets the answer finish within the grace before the drain ends (the process then exits)', async () => {
    const draining = await startProxyOverFakes({ prom: cpuSeries() });
    try {
      const events: string[] = [];
      let drained: Promise<unknown> | undefined;
      // A slow reader: it starts reading once the answer has begun and the drain has begun, then reads at its pace.
      const received = await new Promise<Buffer>((resolve, reject) => {
        const socket = connect(draining.proxy.port, '127.0.0.1');
        const chunks: Buffer[] = [];
        socket.on('error', reject);
        socket.on('data', (chunk) => {
          chunks.push(chunk);
          if (!drained) {
            drained = draining.proxy.drain(20_000).then((outcome) => events.push(`drain ${outcome}`));
          }
          socket.pause();
          setTimeout(() => socket.resume(), 2);
        });
        socket.on('end', () => {
          events.push('answer read');
          resolve(Buffer.concat(chunks));
        });
        socket.write(`GET ${PATH} HTTP/1.1\r\nhost: x\r\n\r\n`);
      });
      await drained;
      const text = received.toString('latin1');
      // Written in pieces (queryAnswerJson.ts): chunked, its last chunk received.
      expect(text.endsWith('\r\n0\r\n\r\n')).toBe(true);
      const { status, body } = parseRawAnswer(text);
      expect(status).toBe(200);
      expect(body.length).toBeGreaterThan(10_000_000);
      expect(JSON.parse(body).data.result).toHaveLength(SERIES);
      expect(events).toEqual(['answer read', 'drain drained']);
    } finally {
      await draining.close();
    }
  });

  it('serves a pipelined request still computing when the drain starts, and refuses new connections', async () => {
    const draining = await startProxyOverFakes({ prom: cpuSeries() });
    try {
      let drained: Promise<string> | undefined;
      let newClient: Promise<number | string> | undefined;
      const text = await pipelined(draining.proxy.port, [PATH, COLD_PATH], () => {
        drained = draining.proxy.drain(60_000);
        // While draining, a new client is not served.
        newClient = fetch(`${draining.proxy.url}/healthz`).then(
          (response) => response.status,
          () => 'refused'
        );
      });
      expect(statuses(text)).toEqual(['HTTP/1.1 200', 'HTTP/1.1 200']);
      expect(await newClient).toBe('refused');
      expect(await drained).toBe('drained');
    } finally {
      await draining.close();
    }
  });
});
