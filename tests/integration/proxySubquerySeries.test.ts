// A long subquery over many series, against a real Prometheus 2.42: Prometheus holds every step of every series the
// subquery's operand yields, and its query.max-samples does not stop it (an attack review: 74 series x 1 M steps took
// it from 52 MB to 1.7 GB). The proxy bounds the operand's series first (the series its selectors match over every
// time the query can read, listed with /api/v1/series) and refuses what passes limits.maxSamplesPerQuery over all of
// them; the subquery itself never reaches Prometheus then.
import { prometheusServing } from '../support/datasetPrometheus';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { stopAfterEach } from '../support/stopAfterEach';
import { buildTelemetryDataset, toPrometheusSeries } from '../support/telemetryDataset';
import { waitUntil } from '../support/waitUntil';

const dataset = buildTelemetryDataset();
const stopLater = stopAfterEach();
const prometheus = prometheusServing(dataset);
const SERIES = toPrometheusSeries(dataset).length;

/** Requests Prometheus has answered per API handler so far. */
async function handled(): Promise<Record<string, number>> {
  const metrics = await (await fetch(`${prometheus().url}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const [, handler, count] of metrics.matchAll(
    /^prometheus_http_requests_total\{[^}]*handler="([^"]+)"[^}]*\} (\S+)$/gm
  )) {
    counts[handler] = (counts[handler] ?? 0) + Number(count);
  }
  return counts;
}

/** An instant query at the dataset's end (an alert rule's evaluation), to `baseUrl`. */
async function instantQuery(baseUrl: string, query: string) {
  const response = await fetch(`${baseUrl}/api/v1/query`, {
    method: 'POST',
    body: new URLSearchParams({ query, time: String(Math.floor(dataset.end / 1000)) }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

describe('a long subquery (more steps per series than a range query brings)', () => {
  it(`is refused when its steps over all the series of its operand pass limits.maxSamplesPerQuery (${SERIES} series)`, async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    const before = await handled();
    // 1 d / 50 ms = 1 728 001 steps per series: within the bound per series (10 M), not over all of them.
    const query = 'count_over_time({job="telemetry"}[1d:50ms])';
    const answer = await instantQuery(proxy.url, query);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error:
        `subquery [1d:50ms] at char 34 would have the upstream hold ${SERIES} series x 1728001 steps ` +
        `(${SERIES * 1_728_001} points); at most 10000000 (limits.maxSamplesPerQuery): select fewer series, ` +
        'coarsen its resolution or shorten its range',
    });
    const after = await handled();
    // Only the listing went to Prometheus, not the subquery.
    expect((after['/api/v1/series'] ?? 0) - (before['/api/v1/series'] ?? 0)).toBe(1);
    expect((after['/api/v1/query'] ?? 0) - (before['/api/v1/query'] ?? 0)).toBe(0);
  });

  it('is refused when its operand yields nothing at the query time and every series before (an attack review: a filter on time())', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    const end = Math.floor(dataset.end / 1000);
    const operand = `{job="telemetry"} and on() (vector(time()) < ${end - 3600})`;
    // Prometheus itself: nothing at the query's time, so a count there was 0.
    expect((await instantQuery(prometheus().url, `count(${operand})`)).body.data.result).toEqual([]);
    const answer = await instantQuery(proxy.url, `count_over_time((${operand})[1d:50ms])`);
    expect(answer.status).toBe(400);
    // The selector's series, and vector()'s own.
    expect(answer.body.error).toMatch(new RegExp(`would have the upstream hold ${SERIES + 1} series x 1728001 steps`));
  });

  it.each([
    ['offset', 'count_over_time({job="telemetry"} offset 1ms [1d:50ms])'],
    ['@', `count_over_time({job="telemetry"} @ ${Math.floor(dataset.end / 1000)} [1d:50ms])`],
  ])(
    'counts the operand with its %s modifier (an attack review: the modifier alone was counted, 0 series)',
    async (_, query) => {
      const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
      const answer = await instantQuery(proxy.url, query);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(new RegExp(`would have the upstream hold ${SERIES} series x 1728001 steps`));
    }
  );

  it('is refused when Prometheus will not list the series of a selector of its operand: its cost cannot be bounded', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    const answer = await instantQuery(proxy.url, 'max_over_time({host=~".*"}[1d:50ms])');
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ status: 'error', errorType: 'bad_data' });
    expect(answer.body.error).toMatch(
      /^cannot bound a subquery's cost: the upstream refused to list the series of `\{host=~"\.\*"\}`/
    );
  });

  it('is passed to Prometheus over fewer series, and answered as Prometheus answers it', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    const query = 'count_over_time({job="telemetry", host="host-a", __name__="cpu_usage_percent"}[1d:50ms])';
    const answer = await instantQuery(proxy.url, query);
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual((await instantQuery(prometheus().url, query)).body);
    expect(answer.body.data.result).toHaveLength(1);
  });
});

describe('the series listings of one request (an attack review: 1 024 listings, then a parse error)', () => {
  /** `count` subqueries of 86 401 steps per series (long: their selectors listed first), the k-th of `operand(k)`. */
  const subqueries = (count: number, operand: (k: number) => string) =>
    Array.from({ length: count }, (_, k) => `max_over_time((${operand(k)})[1d:1s])`);
  /** The review's: a selector (host-a's 5 series) read 16 times, within the bound (16 x 5 x 86 401 points); short, so
   * that 64 such subqueries fit in limits.maxQueryLength. */
  const SIXTEEN = Array.from({ length: 16 }, () => '{host=~".*a"}').join('+');

  /** The listings and queries Prometheus handled for `query` sent to `proxyUrl` (the counts settled first). */
  async function workOf(proxyUrl: string, query: string, listings: number) {
    const before = await handled();
    const answer = await instantQuery(proxyUrl, query);
    // Prometheus counts a request once it has answered: wait for the listings expected, then for any more.
    const after = await waitUntil(
      async () => {
        const counts = await handled();
        return (counts['/api/v1/series'] ?? 0) - (before['/api/v1/series'] ?? 0) >= listings ? counts : undefined;
      },
      { timeoutMs: 10_000, describe: () => `${listings} series listings` }
    );
    return {
      answer,
      listings: (after['/api/v1/series'] ?? 0) - (before['/api/v1/series'] ?? 0),
      queries: (after['/api/v1/query'] ?? 0) - (before['/api/v1/query'] ?? 0),
    };
  }

  it('refuses a query whose brackets or operators no parser accepts before listing anything', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    // The review's: 64 subqueries of 16 selectors each, and a trailing "+" (Prometheus' parse error, 3.5 s later).
    const query = `${subqueries(64, () => SIXTEEN).join('+')} +`;
    const { answer, listings, queries } = await workOf(proxy.url, query, 0);
    expect(answer).toEqual({
      status: 400,
      body: {
        status: 'error',
        errorType: 'bad_data',
        error: `parse error at char ${query.length}: unexpected end of input after "+"`,
      },
    });
    expect({ listings, queries }).toEqual({ listings: 0, queries: 0 });
  });

  it('lists a selector once however many subqueries read it', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    // 63 subqueries reading one series 16 times each, then one over every series of the job: refused.
    const last = 'count_over_time({job="telemetry"}[1d:50ms])';
    const query = [...subqueries(63, () => SIXTEEN), last].join('+');
    const { answer, listings, queries } = await workOf(proxy.url, query, 2);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(
      new RegExp(
        `^subquery \\[1d:50ms\\] at char ${query.length - '[1d:50ms])'.length + 1} would have the upstream hold ${SERIES} series`
      )
    );
    expect({ listings, queries }).toEqual({ listings: 2, queries: 0 });
  });

  it('refuses a query of more than 64 distinct selectors to list, before listing any', async () => {
    const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url }));
    // 65 selectors matching nothing, 13 to a subquery.
    const selector = (n: number) => `{job="telemetry", host="nowhere-${n}"}`;
    const query = subqueries(5, (k) => Array.from({ length: 13 }, (_, j) => selector(k * 13 + j)).join(' or ')).join(
      ' + '
    );
    const { answer, listings, queries } = await workOf(proxy.url, query, 0);
    expect(answer.status).toBe(400);
    expect(answer.body.error).toMatch(
      new RegExp(`^selector \\{job="telemetry", host="nowhere-64"\\} at char ${query.indexOf(selector(64)) + 1}: `)
    );
    expect({ listings, queries }).toEqual({ listings: 0, queries: 0 });
  });
});
