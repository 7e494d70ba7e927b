/**
 * /healthz of a running writer (its HTTP server, its schedule's runs) whose input upstream, a real HTTP server here,
 * fails every request while `failing` is set, quoting the writer's credentials back in its error answer as some
 * proxies do; the target's read-back answers that nothing was written yet.
 */
import { createServer, type Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { AnomalyWriter, parseWriterConfig } from '../src';
import { FAILED_RUNS_UNHEALTHY } from '../src/writer';

const PASSWORD = 'HEALTHZ-S3CRET-PW';
const BASIC = Buffer.from(`writer:${PASSWORD}`).toString('base64');
const MINUTE = 60_000;

async function serve(answer: (path: string) => { status: number; body: string }): Promise<Server> {
  const server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const { status, body } = answer((request.url ?? '/').split('?')[0]);
      response.writeHead(status, { 'content-type': 'application/json' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

/** An empty success answer of the Prometheus API to a request to `path`. */
function empty(path: string): { status: number; body: string } {
  if (path === '/api/v1/write') {
    return { status: 204, body: '' };
  }
  const data =
    path === '/api/v1/series' ? [] : { resultType: path.endsWith('_range') ? 'matrix' : 'vector', result: [] };
  return { status: 200, body: JSON.stringify({ status: 'success', data }) };
}

describe('/healthz', () => {
  const servers: Server[] = [];
  let writer: AnomalyWriter | undefined;
  afterEach(async () => {
    await writer?.close();
    servers.splice(0).forEach((server) => server.close());
  });

  it(`answers 503 naming a job whose last ${FAILED_RUNS_UNHEALTHY} runs failed, with its last error and no secret; 200 once a run succeeds`, async () => {
    let failing = true;
    const input = await serve((path) =>
      failing
        ? {
            status: 500,
            body: JSON.stringify({
              status: 'error',
              errorType: 'internal',
              error: `backend down (request had Authorization: Basic ${BASIC}, password ${PASSWORD})`,
            }),
          }
        : empty(path)
    );
    const target = await serve(empty);
    servers.push(input, target);
    const config = parseWriterConfig(
      [
        'listen: 127.0.0.1:0',
        'defaultUpstream: input',
        'upstreams:',
        `  input: { type: prometheus, url: ${urlOf(input)}, auth: { basic: { username: writer, password: ${PASSWORD} } } }`,
        `  target: { type: prometheus, url: ${urlOf(target)} }`,
        `remoteWrite: { url: ${urlOf(target)}/api/v1/write, readBack: target }`,
        'workers: { training: 0 }',
        'jobs:',
        '  - { name: cpu, query: cpu_usage_percent, options: { window: 6 }, schedule: { fit_window: 6h } }',
      ].join('\n'),
      'test'
    );
    let log = '';
    const logStream = new PassThrough();
    logStream.on('data', (chunk) => (log += chunk));
    const clock = { now: Date.UTC(2026, 0, 5, 12, 0, 30) };
    writer = new AnomalyWriter(config, { now: () => clock.now, logStream });
    const { url } = await writer.start(); // its schedule runs the job once now (and fails), then waits a minute
    const health = async () => {
      const response = await fetch(`${url}/healthz`);
      return { status: response.status, text: await response.text() };
    };

    for (let run = 1; run <= FAILED_RUNS_UNHEALTHY; run++) {
      clock.now += MINUTE;
      await expect(writer.runJob('cpu')).rejects.toThrow();
    }
    const failed = await health();
    expect(failed.status).toBe(503);
    const body = JSON.parse(failed.text);
    expect(body).toMatchObject({ status: 'failing', shard: '0/1', lastScored: { cpu: null } });
    expect(Object.keys(body.failing)).toEqual(['cpu']);
    expect(body.failing.cpu.failedRuns).toBeGreaterThanOrEqual(FAILED_RUNS_UNHEALTHY);
    expect(body.failing.cpu.since).toBe('2026-01-05T12:00:30.000Z'); // the first failed run, the schedule's
    expect(body.failing.cpu.lastError).toContain('backend down');
    for (const text of [failed.text, log]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(BASIC);
    }

    failing = false;
    clock.now += MINUTE;
    await writer.runJob('cpu'); // nothing to score (no series), but the run does not fail
    const healthy = await health();
    expect(healthy.status).toBe(200);
    expect(JSON.parse(healthy.text)).toEqual({ status: 'ok', shard: '0/1', queue: 0, lastScored: { cpu: null } });
  });
});
