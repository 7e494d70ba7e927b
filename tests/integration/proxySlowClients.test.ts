// Slow and oversized clients: a trickled body is cut off after server.requestTimeout and trickled headers after
// server.headersTimeout, with a 408 in Prometheus' error format; idle keep-alive connections close after
// server.idleTimeout; a body over limits.bodyLimit gets a readable 413, whole or chunked. Others are answered meanwhile.
// Connections beyond server.maxConnections are closed as they arrive, counted, and served again once there is room.
import { Socket, connect } from 'node:net';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import { exchange, rawRequest } from '../support/rawHttp';
import { buildTelemetryDataset, toPrometheusSeries } from '../support/telemetryDataset';
import { sleep, waitUntil } from '../support/waitUntil';

const dataset = buildTelemetryDataset();
const BODY_LIMIT = 4096;
let prometheus: PrometheusServer;
let proxy: ProxyUnderTest;

beforeAll(async () => {
  prometheus = await startPrometheus({ series: toPrometheusSeries(dataset) });
  proxy = await startProxyUnderTest({
    prometheusUrl: prometheus.url,
    bodyLimit: BODY_LIMIT,
    extraYaml: ['server: { headersTimeout: 1s, requestTimeout: 2s, idleTimeout: 1s }'],
  });
});

afterAll(async () => {
  await proxy?.stop();
  await prometheus?.stop();
});

const FORM_HEAD = (length: number) =>
  `POST /api/v1/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: ${length}\r\n\r\n`;

/** Writes `text` a byte at a time every `everyMs` until the server closes the connection (or the text ends). */
function trickle(text: string, everyMs: number) {
  return exchange(proxy.port, (socket) => {
    let at = 0;
    const timer = setInterval(() => {
      if (at >= text.length || socket.destroyed) {
        clearInterval(timer);
        return;
      }
      socket.write(text[at++]);
    }, everyMs);
    socket.on('close', () => clearInterval(timer));
  });
}

function expectPromError(answer: { status: number; body: string }, status: number, error: RegExp) {
  expect(answer.status).toBe(status);
  expect(JSON.parse(answer.body)).toEqual({
    status: 'error',
    errorType: 'bad_data',
    error: expect.stringMatching(error),
  });
}

describe('slow clients', () => {
  it('cuts off a trickled body after server.requestTimeout with a 408 in Prometheus error format', async () => {
    const body = `query=up&time=${dataset.end / 1000}`;
    const answer = await exchange(proxy.port, (socket) => {
      socket.write(FORM_HEAD(body.length + 1000) + body.slice(0, 3));
      const timer = setInterval(() => !socket.destroyed && socket.write('x'), 200);
      socket.on('close', () => clearInterval(timer));
    });
    expectPromError(answer, 408, /headers and body within 2s \(server\.requestTimeout\)/);
  });

  it('cuts off trickled headers after server.headersTimeout with a 408 in Prometheus error format', async () => {
    const answer = await trickle('GET /healthz HTTP/1.1\r\nhost: x\r\nx-padding: ' + 'y'.repeat(1000), 100);
    expectPromError(answer, 408, /headers within 1s \(server\.headersTimeout\)/);
  });

  it('closes an idle keep-alive connection after server.idleTimeout', async () => {
    const answer = await exchange(proxy.port, (socket) => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'));
    // The socket closed by itself after answering (no `connection: close` was sent).
    expect(answer.status).toBe(200);
    expect(answer.headers.connection).toBe('keep-alive');
  });

  it('gives a readable 413 in Prometheus error format for a body over the limit, with or without content-length', async () => {
    const big = 'query=up&padding=' + 'x'.repeat(4 * 1024 * 1024);
    const declared = await exchange(proxy.port, (socket) => socket.write(FORM_HEAD(big.length) + big));
    expectPromError(declared, 413, new RegExp(`larger than ${BODY_LIMIT} bytes \\(limits\\.bodyLimit\\)`));
    expect(declared.socketError).toBeUndefined();

    const chunked = await exchange(proxy.port, (socket) => {
      socket.write(
        'POST /api/v1/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n'
      );
      for (let i = 0; i < 64; i++) {
        socket.write(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
      }
      socket.write('0\r\n\r\n');
    });
    expectPromError(chunked, 413, /limits\.bodyLimit/);
    expect(chunked.socketError).toBeUndefined();
  });

  it('answers other clients while a slow one trickles', async () => {
    const slow = trickle(FORM_HEAD(5000) + 'query=up', 300);
    await sleep(300);
    const answer = await rawRequest(proxy.port, { target: '/api/v1/query?query=1' });
    expect(answer.status).toBe(200);
    await slow;
  });
});

describe('too many connections', () => {
  const MAX_CONNECTIONS = 4;
  let limited: ProxyUnderTest;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    limited = await startProxyUnderTest({
      prometheusUrl: prometheus.url,
      // Long timeouts: only the connection limit may close the connections this test holds open.
      extraYaml: [
        `server: { headersTimeout: 10m, requestTimeout: 10m, idleTimeout: 10m, maxConnections: ${MAX_CONNECTIONS} }`,
      ],
    });
  });

  afterAll(async () => {
    sockets.forEach((socket) => socket.destroy());
    await limited?.stop();
  });

  /** A keep-alive connection that has had /healthz answered (so the server has accepted it), left open. */
  const openAnswered = () =>
    new Promise<Socket>((resolve, reject) => {
      const socket = connect(limited.port, '127.0.0.1');
      sockets.push(socket);
      socket.once('connect', () => socket.write('GET /healthz HTTP/1.1\r\nhost: x\r\n\r\n'));
      socket.once('data', (chunk) =>
        /^HTTP\/1\.1 200/.test(chunk.toString('latin1')) ? resolve(socket) : reject(new Error(String(chunk)))
      );
      socket.once('error', reject);
    });

  /** Reads of /metrics that were themselves dropped (the server had not yet seen a connection close). */
  let droppedReads = 0;
  /** telemetry_proxy_connections_dropped_total, read on a connection that closes after the answer. */
  const droppedCount = async () => {
    const answer = await rawRequest(limited.port, { target: '/metrics' });
    droppedReads += answer.status === 0 ? 1 : 0;
    const value = /^telemetry_proxy_connections_dropped_total (\S+)$/m.exec(answer.body)?.[1];
    return answer.status === 200 && value !== undefined ? Number(value) : undefined;
  };

  it('closes connections beyond server.maxConnections as they arrive, counts them, and serves again after', async () => {
    const held = await Promise.all(Array.from({ length: MAX_CONNECTIONS }, openAnswered));
    // One more: closed without an answer, while the four stay open.
    const refused = await rawRequest(limited.port, { target: '/healthz' });
    expect([refused.status, refused.body]).toEqual([0, '']);
    expect(held.every((socket) => !socket.destroyed)).toBe(true);
    // One of them goes away: a new connection is answered (once the server has seen the close), and every
    // connection closed as it arrived was counted: the refused one and any read of /metrics that came too early.
    held[0].destroy();
    const dropped = await waitUntil(droppedCount, {
      timeoutMs: 10_000,
      describe: () => 'a connection to be accepted again after one closed',
    });
    expect(dropped).toBe(1 + droppedReads);
  });
});
