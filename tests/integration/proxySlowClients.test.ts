// Slow and oversized clients: a trickled body is cut off after server.requestTimeout and trickled headers after
// server.headersTimeout, with a 408 in Prometheus' error format; idle keep-alive connections close after
// server.idleTimeout; a body over limits.bodyLimit gets a readable 413, whole or chunked. Others are answered meanwhile.
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import { exchange, rawRequest } from '../support/rawHttp';
import { buildTelemetryDataset, toPrometheusSeries } from '../support/telemetryDataset';
import { sleep } from '../support/waitUntil';

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
