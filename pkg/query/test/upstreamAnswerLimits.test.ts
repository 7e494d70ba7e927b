// What the proxy reads of its upstreams: UpstreamHttp.send reads at most limits.maxUpstreamAnswerBytes of an answer
// (a declared content-length over it is refused before the body is read, a chunked or compressed body as soon as the
// bytes pass it: decoded bytes count), and a chunked range fetch stops at the chunk passing limits.maxSamplesPerQuery.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { type Limits, DEFAULT_LIMITS } from '../src/config';
import { parseQuery } from '../src/query/anomalyQuery';
import { checkPointsScored } from '../src/query/costLimits';
import { fetchSeries } from '../src/query/seriesFetch';
import { FIRST_CHUNK_POINTS } from '../src/upstreams/prometheusUpstream';
import { AnswerTooLargeError, UpstreamHttp } from '../src/upstreams/upstreamHttp';

const LIMIT = 1000;
let server: Server;
let url: string;
/** Resolves when the connection of the endless answer being sent closes: the client gave the request up. */
let givenUp: Promise<void>;
let rangeRequests = 0;

beforeAll(async () => {
  server = createServer((request, response) => {
    const path = request.url ?? '';
    if (path === '/api/v1/query_range') {
      rangeRequests++;
      // Two series, a point at every step of the chunk asked for (the form body holds start, end and step).
      let body = '';
      request.on('data', (chunk) => (body += chunk));
      request.on('end', () => {
        const params = new URLSearchParams(body);
        const [start, end, step] = ['start', 'end', 'step'].map((name) => Number(params.get(name)));
        const values: Array<[number, string]> = [];
        for (let t = start; t <= end; t += step) {
          values.push([t, '1']);
        }
        const result = ['a', 'b'].map((host) => ({ metric: { __name__: 'up', host }, values }));
        response.writeHead(200, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ status: 'success', data: { resultType: 'matrix', result } }));
      });
      return;
    }
    if (path === '/declared') {
      // Declares 1 GiB, then sends as fast as the client reads: only a client that gives up ends it.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(2 ** 30) });
    } else if (path === '/gzip') {
      response.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
      response.end(gzipSync(Buffer.alloc(100_000, 'a'))); // ~200 bytes on the wire, 100 000 decoded
      return;
    } else if (path === '/exact') {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('x'.repeat(LIMIT));
      return;
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }); // chunked
    }
    givenUp = new Promise((resolve) => response.once('close', resolve));
    const pump = () => {
      while (!response.destroyed) {
        if (!response.write('x'.repeat(1024))) {
          response.once('drain', pump);
          return;
        }
      }
    };
    pump();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function upstream(errors: string[]): UpstreamHttp {
  return new UpstreamHttp(
    { name: 'prom', type: 'prometheus', url, timeoutMs: 10_000, auth: {} },
    (_name, kind) => errors.push(kind),
    () => undefined,
    LIMIT
  );
}

describe('UpstreamHttp.send within maxAnswerBytes', () => {
  it.each([
    ['a declared content-length over it', '/declared', ': its content-length is 1073741824'],
    ['a chunked body passing it', '/chunked', ''],
    ['a gzip body whose decoded bytes pass it (~200 bytes sent)', '/gzip', ''],
  ])('gives up %s: 422 naming limits.maxUpstreamAnswerBytes', async (_name, path, declared) => {
    const errors: string[] = [];
    const answer = upstream(errors).send(path, new URLSearchParams());
    await expect(answer).rejects.toThrow(AnswerTooLargeError);
    await expect(answer).rejects.toMatchObject({
      httpStatus: 422,
      errorType: 'execution',
      message: `upstream "prom" answered more than ${LIMIT} bytes (limits.maxUpstreamAnswerBytes)${declared}: narrow the query (fewer series, a shorter range or train=, a coarser step)`,
    });
    expect(errors).toEqual(['too_large']);
    if (path !== '/gzip') {
      await givenUp; // the endless answer's connection closes: the request was given up, not read on
    }
  });

  it('reads an answer of exactly the limit', async () => {
    const answer = await upstream([]).send('/exact', new URLSearchParams());
    expect(answer.body).toBe('x'.repeat(LIMIT));
  });
});

/** `anomaly_flag(up)` and the test server as its Prometheus upstream. */
function upQuery() {
  const parsed = parseQuery('anomaly_flag(up)');
  if (parsed.kind !== 'anomaly') {
    throw new Error('not an anomaly query');
  }
  const prometheus = new UpstreamHttp(
    { name: 'prom', type: 'prometheus', url, timeoutMs: 10_000, auth: {} },
    () => undefined
  );
  return { parsed, prometheus };
}

describe('fetchSeries within limits.maxSamplesPerQuery', () => {
  it('stops at the chunk that passes the limit instead of reading every chunk first', async () => {
    const limits: Limits = { ...DEFAULT_LIMITS, maxSamplesPerQuery: 15_000 };
    const { parsed, prometheus } = upQuery();
    rangeRequests = 0;
    // 50 000 steps: a first chunk of FIRST_CHUNK_POINTS, then chunks of 10 000 points; the first two hold
    // 2 x 11 000 samples, over the 15 000 allowed.
    const fetched = fetchSeries(prometheus, parsed.query, { startMs: 0, endMs: 49_999_000, stepMs: 1000 }, limits);
    await expect(fetched).rejects.toMatchObject({
      httpStatus: 422,
      message: expect.stringMatching(/22000 samples fetched, at most 15000 \(limits\.maxSamplesPerQuery\)/),
    });
    expect(rangeRequests).toBe(2);
  });

  it("refuses on what the first, short chunk tells (the series): the caller's series x points limit", async () => {
    const { parsed, prometheus } = upQuery();
    rangeRequests = 0;
    const seen: number[] = [];
    const onSeriesRead = (series: Array<{ timestamps: Float64Array }>) => {
      seen.push(...series.map((one) => one.timestamps.length));
      // 2 series x 50 000 points, over a limit of 60 000: known from the first chunk.
      checkPointsScored(series.length, 50_000, { ...DEFAULT_LIMITS, maxPointsScoredPerQuery: 60_000 });
    };
    const fetched = fetchSeries(
      prometheus,
      parsed.query,
      { startMs: 0, endMs: 49_999_000, stepMs: 1000 },
      DEFAULT_LIMITS,
      {
        onSeriesRead,
      }
    );
    await expect(fetched).rejects.toMatchObject({
      httpStatus: 422,
      message: expect.stringMatching(/maxPointsScoredPerQuery/),
    });
    expect(rangeRequests).toBe(1);
    expect(seen).toEqual([FIRST_CHUNK_POINTS, FIRST_CHUNK_POINTS]);
  });
});
