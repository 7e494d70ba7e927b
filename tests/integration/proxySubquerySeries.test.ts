// A long subquery over many series, against a real Prometheus 2.42: Prometheus holds every step of every series the
// subquery's operand yields, and its query.max-samples does not stop it (an attack review: 74 series x 1 M steps took
// it from 52 MB to 1.7 GB). The proxy bounds the operand's series first (the series its selectors match over every
// time the query can read, listed with /api/v1/series) and refuses what passes limits.maxSamplesPerQuery over all of
// them; the subquery itself never reaches Prometheus then.
import { prometheusServing } from '../support/datasetPrometheus';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { stopAfterEach } from '../support/stopAfterEach';
import { buildTelemetryDataset, toPrometheusSeries } from '../support/telemetryDataset';

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
