/**
 * A connection that pipelines more requests than may wait (MAX_WAITING_PER_CONNECTION) gets the answers of those it
 * took, in order, and is then closed: it was closed at once, and the request in flight and those waiting lost their
 * answers (a review). A client retries the rest on a new connection (RFC 9112 9.3.2).
 */
import { createServer, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { parseConfig } from '../src/config';
import { MAX_WAITING_PER_CONNECTION } from '../src/http/requestTurns';
import { type RunningProxy, startProxy } from '../src/server';

/** A Prometheus that holds every request until the test answers it. */
async function startHoldingUpstream() {
  const held: Array<{ path: string; answer: ServerResponse }> = [];
  const server = createServer((request, answer) => held.push({ path: request.url ?? '', answer }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    held,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

async function waitFor(state: () => boolean): Promise<void> {
  while (!state()) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

let upstream: Awaited<ReturnType<typeof startHoldingUpstream>>;
let proxy: RunningProxy;

beforeEach(async () => {
  upstream = await startHoldingUpstream();
  const yaml = `listen: "127.0.0.1:0"\nupstreams:\n  prom: { type: prometheus, url: "${upstream.url}" }\nlog: { level: silent }`;
  proxy = await startProxy(parseConfig(yaml, 'test'));
});

afterEach(async () => {
  await proxy.close();
  await upstream.close();
});

it(`answers the requests it took in order, then closes a connection with more than ${MAX_WAITING_PER_CONNECTION} waiting`, async () => {
  const request = (target: string) => `GET ${target} HTTP/1.1\r\nhost: proxy\r\n\r\n`;
  const waiting = Array.from({ length: MAX_WAITING_PER_CONNECTION + 4 }, () => request('/healthz'));
  let received = '';
  const closed = new Promise<void>((resolve) => {
    const socket = connect(proxy.port, '127.0.0.1', () => {
      // One in flight (held by the upstream), 16 waiting behind it, and 4 more than may wait.
      socket.write(request('/api/v1/query?query=up') + waiting.join(''));
    });
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
  let isClosed = false;
  void closed.then(() => (isClosed = true));
  await waitFor(() => upstream.held.length === 1 || isClosed);
  upstream.held[0]?.answer.writeHead(200, { 'content-type': 'application/json' });
  upstream.held[0]?.answer.end('{"status":"success","data":{"resultType":"scalar","result":[1,"1"]}}');
  await closed;
  const statuses = [...received.matchAll(/HTTP\/1\.1 (\d+) /g)].map((match) => Number(match[1]));
  expect(statuses).toEqual(Array(1 + MAX_WAITING_PER_CONNECTION).fill(200));
  expect(received).toContain('"resultType":"scalar"');
  expect(upstream.held).toHaveLength(1);
  // The proxy serves on.
  expect((await fetch(`${proxy.url}/healthz`)).status).toBe(200);
});
