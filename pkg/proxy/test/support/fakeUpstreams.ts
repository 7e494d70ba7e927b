/**
 * Test doubles of Prometheus and InfluxDB 1.x for the proxy's unit tests: real HTTP servers on 127.0.0.1 that speak
 * just the endpoints the proxy calls, with series computed from a formula. (Integration tests use the real ones.)
 */
import { parseDuration } from '@telemetry-analyzer/engine';
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { brotliCompressSync, gzipSync } from 'node:zlib';

export interface FakeSeries {
  labels: Record<string, string>;
  /** The sample at a time; undefined: none there (Prometheus leaves the step out). */
  valueAt(timestampMs: number): number | undefined;
}

export interface RecordedRequest {
  method: string;
  path: string;
  params: URLSearchParams;
  authorization?: string;
  /** The X-Scope-OrgID header (a tenant), if sent. */
  orgId?: string;
}

export interface FakeServer {
  url: string;
  port: number;
  requests: RecordedRequest[];
  /**
   * How the next answers behave: normal, non-JSON garbage, hanging past any timeout, or compressed with the
   * given content-encoding whatever the request accepts (a gateway that ignores `accept-encoding: identity`).
   */
  mode: 'normal' | 'garbage' | 'hang' | 'gzip' | 'br' | 'compress';
  close(): Promise<void>;
}

async function readParams(request: IncomingMessage): Promise<{ path: string; params: URLSearchParams }> {
  const url = new URL(request.url ?? '/', 'http://fake');
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  const params = new URLSearchParams(url.search);
  new URLSearchParams(Buffer.concat(chunks).toString('utf8')).forEach((value, name) => params.append(name, value));
  return { path: url.pathname, params };
}

/** Makes the answer's body go out compressed by `encoding` ('compress': an encoding nobody decodes, sent as is). */
function compressAnswers(response: ServerResponse, encoding: 'gzip' | 'br' | 'compress'): void {
  const writeHead = response.writeHead.bind(response);
  const end = response.end.bind(response);
  response.writeHead = ((status: number, headers: Record<string, string> = {}) =>
    writeHead(status, { ...headers, 'content-encoding': encoding })) as typeof response.writeHead;
  response.end = ((text: string) => {
    const bytes = Buffer.from(text);
    return end(encoding === 'gzip' ? gzipSync(bytes) : encoding === 'br' ? brotliCompressSync(bytes) : bytes);
  }) as typeof response.end;
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function listen(
  handler: (request: RecordedRequest, response: ServerResponse) => void,
  port = 0
): Promise<FakeServer> {
  const hanging: ServerResponse[] = [];
  const fake: FakeServer = {
    url: '',
    port: 0,
    requests: [],
    mode: 'normal',
    close: () =>
      new Promise((resolve) => {
        hanging.forEach((r) => r.destroy());
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server: Server = createServer(async (request, response) => {
    const { path, params } = await readParams(request);
    const recorded = {
      method: request.method ?? 'GET',
      path,
      params,
      authorization: request.headers.authorization,
      orgId: request.headers['x-scope-orgid'] as string | undefined,
    };
    fake.requests.push(recorded);
    if (fake.mode === 'hang') {
      hanging.push(response);
      return;
    }
    if (fake.mode === 'garbage') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<html>proxy error page</html>');
      return;
    }
    if (fake.mode === 'gzip' || fake.mode === 'br' || fake.mode === 'compress') {
      compressAnswers(response, fake.mode);
    }
    handler(recorded, response);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  fake.port = (server.address() as AddressInfo).port;
  fake.url = `http://127.0.0.1:${fake.port}`;
  return fake;
}

/**
 * A Prometheus double: /api/v1/query_range evaluates every series at start + k*step (the query text is ignored,
 * except that a query containing `syntax_error` gets Prometheus' 400 bad_data answer, and one containing
 * `echo_headers` a 400 quoting the request's Authorization header); /api/v1/query answers a scalar;
 * /api/v1/labels and /-/ready as Prometheus does.
 */
export function startFakePrometheus(series: FakeSeries[], port = 0): Promise<FakeServer> {
  return listen((request, response) => {
    const { path, params } = request;
    if (path === '/-/ready') {
      response.writeHead(200);
      response.end('Prometheus Server is Ready.\n');
      return;
    }
    if (path === '/api/v1/labels') {
      sendJson(response, 200, { status: 'success', data: ['__name__', 'instance', 'job'] });
      return;
    }
    if (path === '/api/v1/query') {
      const time = Number(params.get('time') ?? '0');
      sendJson(response, 200, { status: 'success', data: { resultType: 'scalar', result: [time, '2'] } });
      return;
    }
    if (path !== '/api/v1/query_range') {
      sendJson(response, 404, { status: 'error', errorType: 'not_found', error: `no ${path}` });
      return;
    }
    const query = params.get('query') ?? '';
    if (query.includes('echo_headers')) {
      // A gateway's error page that quotes the request's headers (its credentials among them).
      sendJson(response, 400, { status: 'error', errorType: 'bad_data', error: `refused: ${request.authorization}` });
      return;
    }
    if (query.includes('syntax_error')) {
      sendJson(response, 400, {
        status: 'error',
        errorType: 'bad_data',
        error: '1:1: parse error: unexpected identifier "syntax_error"',
      });
      return;
    }
    const start = Math.round(Number(params.get('start')) * 1000);
    const end = Math.round(Number(params.get('end')) * 1000);
    const step = Math.round(Number(params.get('step')) * 1000);
    const result = series.map((s) => {
      const values: Array<[number, string]> = [];
      for (let t = start; t <= end; t += step) {
        const value = s.valueAt(t);
        if (value !== undefined) {
          values.push([t / 1000, String(value)]);
        }
      }
      return { metric: s.labels, values };
    });
    sendJson(response, 200, { status: 'success', data: { resultType: 'matrix', result } });
  }, port);
}

/**
 * An InfluxDB 1.x double: /query answers `SELECT mean(...) ... GROUP BY time(<duration>), host` statements with one
 * series per host (bucket starts aligned to the interval, like InfluxDB), using the substituted time filter.
 */
export function startFakeInflux(hosts: Record<string, (timestampMs: number) => number>): Promise<FakeServer> {
  return listen((request, response) => {
    if (request.path === '/ping') {
      response.writeHead(204);
      response.end();
      return;
    }
    const q = request.params.get('q') ?? '';
    if (q === 'SHOW DATABASES') {
      sendJson(response, 200, { results: [{ statement_id: 0, series: [{ name: 'databases', columns: ['name'] }] }] });
      return;
    }
    // A GROUP BY time(...) statement is read to its last bucket's end (`time < end + interval`), raw samples to `end`.
    const range = /time >= (\d+)ms AND time (<=?) (\d+)ms/.exec(q);
    const interval = /time\(([0-9a-z]+)\)/.exec(q);
    const step = interval ? parseDuration(interval[1]) : undefined;
    if (!range || !step) {
      sendJson(response, 400, { error: `error parsing query: found ${q.slice(0, 20)}` });
      return;
    }
    const start = Math.ceil(Number(range[1]) / step) * step;
    const end = Number(range[3]) - (range[2] === '<' ? step : 0);
    const series = Object.entries(hosts).map(([host, valueAt]) => {
      const values: Array<[number, number | null]> = [];
      for (let t = start; t <= end; t += step) {
        values.push([t, valueAt(t)]);
      }
      return { name: 'telemetry', tags: { host }, columns: ['time', 'mean'], values };
    });
    sendJson(response, 200, { results: [{ statement_id: 0, series }] });
  });
}
