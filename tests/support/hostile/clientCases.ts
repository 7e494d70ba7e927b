/**
 * Clients that misbehave at the HTTP level: bodies over limits.bodyLimit (declared or chunked), bodies and headers
 * trickled past server.requestTimeout / headersTimeout, oversized headers, garbage; and clients that go away
 * while the proxy works for them.
 */
import { exchange, rawRequest } from '../rawHttp';
import { AUTHORIZED, PROXY_TOKEN } from './setup';
import { HostileCase, HostileTarget } from './types';

function formHead(path: string, headers: string[] = [`authorization: Bearer ${PROXY_TOKEN}`]): string {
  return [`POST ${path} HTTP/1.1`, 'host: x', 'content-type: application/x-www-form-urlencoded', ...headers].join(
    '\r\n'
  );
}

const oversized = (path: string, headers?: string[]) => (target: HostileTarget) => {
  const body = 'query=up&padding=' + 'x'.repeat(2 * 1024 * 1024);
  // A client that keeps its connection: the proxy reads the body to its end before answering, then keeps it too
  // (keepsConnection, asserted), and the client hangs up once answered.
  return exchange(
    target.port,
    (socket) => socket.write(`${formHead(path, headers)}\r\ncontent-length: ${body.length}\r\n\r\n${body}`),
    'complete'
  );
};

/**
 * A 16 MiB body with `Connection: close`, written whole before the answer is read (as Python's urllib does): an
 * answer sent before the body was read, then the connection closed, resets the connection while the client is
 * still sending, and the client loses the answer (an attack review, 2026-12-05).
 */
const oversizedThenClose =
  (path: string, headers: string[] = [`authorization: Bearer ${PROXY_TOKEN}`], contentType?: string) =>
  (target: HostileTarget) => {
    const body = 'query=up&padding=' + 'x'.repeat(16 * 1024 * 1024);
    const head = formHead(path, ['connection: close', ...headers]);
    return exchange(target.port, (socket) =>
      socket.write(
        `${contentType ? head.replace(/content-type: [^\r]*/, `content-type: ${contentType}`) : head}\r\n` +
          `content-length: ${body.length}\r\n\r\n${body}`
      )
    );
  };

const oversizedChunked = (path: string) => (target: HostileTarget) =>
  exchange(
    target.port,
    (socket) => {
      socket.write(`${formHead(path)}\r\ntransfer-encoding: chunked\r\n\r\n`);
      for (let i = 0; i < 32; i++) {
        socket.write(`10000\r\n${'x'.repeat(0x10000)}\r\n`);
      }
      socket.write('0\r\n\r\n');
    },
    'complete'
  );

/** Writes `head` then one byte of `rest` every 200 ms until the proxy closes the connection. */
const trickled = (head: string, rest: string) => (target: HostileTarget) =>
  exchange(target.port, (socket) => {
    socket.write(head);
    let at = 0;
    const timer = setInterval(() => !socket.destroyed && at < rest.length && socket.write(rest[at++]), 200);
    socket.on('close', () => clearInterval(timer));
  });

/** Sends a whole request, then goes away without reading the answer. */
const leavesAfter = (path: string, params: Record<string, string>) => (target: HostileTarget) => {
  const body = new URLSearchParams(params).toString();
  return exchange(target.port, (socket) => {
    socket.write(`${formHead(path)}\r\ncontent-length: ${body.length}\r\n\r\n${body}`);
    socket.destroy();
  });
};

const TOO_LARGE = { status: 413, errorType: 'bad_data', error: /larger than 65536 bytes \(limits\.bodyLimit\)/ };
/** A body read to its end before the answer: the connection is kept (see oversized). */
const TOO_LARGE_KEPT = { ...TOO_LARGE, keepsConnection: true };
const NOT_IN_TIME = { status: 408, errorType: 'bad_data', error: /not received in time/ };
const LEAVES = { status: 0, errorType: '', error: /^$/ };

function lastHours(target: HostileTarget, query: string): Record<string, string> {
  const end = target.dataset.end / 1000;
  return { query, start: String(end - 6 * 3600), end: String(end), step: '60' };
}

export const BODY_CASES: HostileCase[] = [
  { class: 'body', name: '2 MiB body, declared', send: oversized('/api/v1/query'), ...TOO_LARGE_KEPT },
  { class: 'body', name: '2 MiB body to query_range', send: oversized('/api/v1/query_range'), ...TOO_LARGE_KEPT },
  { class: 'body', name: '2 MiB body to series', send: oversized('/api/v1/series'), ...TOO_LARGE_KEPT },
  { class: 'body', name: '2 MiB chunked body', send: oversizedChunked('/api/v1/query'), ...TOO_LARGE_KEPT },
  {
    class: 'body',
    name: '16 MiB body with Connection: close',
    send: oversizedThenClose('/api/v1/query'),
    ...TOO_LARGE,
  },
  {
    class: 'body',
    name: '16 MiB body with Connection: close, without credentials',
    send: oversizedThenClose('/api/v1/query_range', []),
    status: 401,
    errorType: 'unauthorized',
    error: /authentication required/,
  },
  {
    class: 'body',
    name: '16 MiB multipart body with Connection: close',
    send: oversizedThenClose('/api/v1/series', undefined, 'multipart/form-data; boundary=b'),
    status: 415,
    errorType: 'bad_data',
    error: /^Unsupported Media Type/,
  },
  {
    class: 'body',
    name: '2 MiB body without credentials',
    send: oversized('/api/v1/query', []),
    status: 401,
    errorType: 'unauthorized',
    error: /authentication required/,
    keepsConnection: true,
  },
  {
    class: 'body',
    name: 'body trickled a byte per 200 ms',
    send: trickled(`${formHead('/api/v1/query')}\r\ncontent-length: 1000\r\n\r\nquery=`, 'x'.repeat(1000)),
    ...NOT_IN_TIME,
  },
  {
    class: 'body',
    name: 'headers trickled a byte per 200 ms',
    send: trickled('GET /healthz HTTP/1.1\r\n', 'x-padding: ' + 'y'.repeat(1000)),
    ...NOT_IN_TIME,
  },
  {
    class: 'body',
    name: 'headers over 16 KiB',
    send: (target) =>
      rawRequest(target.port, {
        target: '/api/v1/query?query=up',
        headers: { ...AUTHORIZED, 'x-big': 'z'.repeat(20_000) },
      }),
    status: 431,
    errorType: 'bad_data',
    error: /headers too large/,
  },
  {
    class: 'body',
    name: 'not HTTP',
    send: (target) => exchange(target.port, (socket) => socket.write('\x16\x03\x01 hello, TLS?\r\n\r\n')),
    status: 400,
    errorType: 'bad_data',
    error: /malformed HTTP request/,
  },
];

export const DISCONNECT_CASES: HostileCase[] = [
  {
    class: 'disconnect',
    name: 'leaves right after a cold anomaly query over Prometheus',
    send: (target) =>
      leavesAfter(
        '/api/v1/query_range',
        lastHours(target, 'anomaly_score(cpu_usage_percent, train="1d", seed=101)')
      )(target),
    ...LEAVES,
    clientLeaves: { handlerRuns: true, upstreamRequestsAtMost: 1 },
  },
  {
    class: 'disconnect',
    name: 'leaves right after a cold anomaly query over InfluxDB',
    send: (target) =>
      leavesAfter(
        '/api/v1/query_range',
        lastHours(
          target,
          'anomaly_score(influxql("SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host"), upstream="influx", seed=102)'
        )
      )(target),
    ...LEAVES,
    clientLeaves: { handlerRuns: true, upstreamRequestsAtMost: 1 },
  },
  {
    class: 'disconnect',
    name: 'leaves right after a plain range query',
    send: (target) => leavesAfter('/api/v1/query_range', lastHours(target, 'cpu_usage_percent'))(target),
    ...LEAVES,
    clientLeaves: { handlerRuns: true, upstreamRequestsAtMost: 1 },
  },
  {
    class: 'disconnect',
    name: 'leaves halfway through the body',
    send: (target) =>
      exchange(target.port, (socket) => {
        socket.write(
          `${formHead('/api/v1/query_range')}\r\ncontent-length: 500\r\n\r\nquery=anomaly_score(cpu_usage_percent`
        );
        socket.destroy();
      }),
    ...LEAVES,
    clientLeaves: { handlerRuns: false, upstreamRequestsAtMost: 0 },
  },
];
