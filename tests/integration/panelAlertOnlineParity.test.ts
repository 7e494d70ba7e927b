/**
 * The panel and the alert rule it writes score the same: a panel in online mode with "train on the previous day",
 * over a range that starts off the hour, and the proxy answering the rule's expression (anomaly_score in place of
 * anomaly_flag) over the same range give the same score at every point, bit for bit, on real Prometheus data.
 *
 * The panel side runs the panel's own code: the training plan (model/trainingPlan.ts), the pieces its training
 * query is fetched in (model/trainingQueryRanges.ts) and the worker's online scoring (pipeline/onlineScore.ts); the
 * pieces' rows are joined and kept to the window as analysePanel does. Grafana's
 * Prometheus data source is stood in for by range queries aligned as Grafana aligns them: start and end rounded
 * down to a multiple of the step (grafana/grafana pkg/promlib/models/query.go, AlignTimeRange).
 */
import type { SeriesTable } from '@telemetry-analyzer/engine';
import { buildAnomalyExpression } from '../../src/panels/anomaly/alerting/anomalyExpression';
import { trainingQueryRanges } from '../../src/panels/anomaly/model/trainingQueryRanges';
import { toDetectorOptions } from '../../src/panels/anomaly/model/detectorOptions';
import { alignedQueryStart, trainingPlan } from '../../src/panels/anomaly/model/trainingPlan';
import { withDefaults } from '../../src/panels/anomaly/options/defaults';
import { scoreOnline } from '../../src/panels/anomaly/pipeline/onlineScore';
import { modelTable } from '../../src/panels/anomaly/pipeline/modelTable';
import type { AnomalyOptions } from '../../src/panels/anomaly/types';
import { buildUnits, columnOrder, labelsKey } from '@telemetry-analyzer/query';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ProxyUnderTest, startProxyUnderTest } from '../support/proxyUnderTest';
import { buildTelemetryDataset, STEP_MS, toPrometheusSeries } from '../support/telemetryDataset';

const HOUR_MS = 3_600_000;
const dataset = buildTelemetryDataset();
const QUERY = 'cpu_usage_percent{host="host-a"}';

const SCRAPED_OFF_THE_MINUTE = 'cpu_scraped_at_07';
/**
 * Two series of one host, the second missing 7 scrapes in a row every 200 minutes: past Prometheus' 5-minute lookback,
 * a range at a 2-minute step then misses one grid time of it (a one-step gap in a multivariate group).
 */
const GAPPY_GROUP = ['group_cpu', 'group_memory'];

let prometheus: PrometheusServer;
let proxy: ProxyUnderTest;

/** Label sets of one metric in an order Prometheus does not answer in: the proxy's multivariate columns follow its. */
const ORDER_PROBE = 'order_probe';
const ORDER_PROBE_LABELS: Array<Record<string, string>> = [
  { host: 'a', job: 'gen', zone: 'z' },
  { host: 'a', job: 'gen' },
  { host: 'a', Job: 'gen' },
  { host: 'a', job: 'gen', a: '1' },
  { host: 'a', job: 'Gen' },
  { host: 'a', job: 'gen', zone: 'y' },
  // Go orders strings by UTF-8 byte: U+FF5E before U+1F600, which UTF-16 code units order the other way.
  { host: 'a', job: '\u{1F600}' },
  { host: 'a', job: '\uFF5E' },
];

beforeAll(async () => {
  const probes = ORDER_PROBE_LABELS.map((labels, i) => ({
    metric: ORDER_PROBE,
    labels,
    timestampsMs: dataset.timestamps.slice(-60),
    values: dataset.timestamps.slice(-60).map((_, k) => i + (k % 7)),
  }));
  // The same samples scraped 7 s past each minute, as a real scrape's offset puts them.
  const cpu = toPrometheusSeries(dataset).find(
    (one) => one.metric === 'cpu_usage_percent' && one.labels.host === 'host-a'
  )!;
  const offset = {
    ...cpu,
    metric: SCRAPED_OFF_THE_MINUTE,
    timestampsMs: Array.from(cpu.timestampsMs, (t) => t + 7_000),
  };
  const memory = toPrometheusSeries(dataset).find(
    (one) => one.metric === 'memory_free_mb' && one.labels.host === 'host-a'
  )!;
  const missedScrape = (t: number) => Math.round(t / STEP_MS) % 200 >= 13 && Math.round(t / STEP_MS) % 200 < 20;
  const group = [
    { ...cpu, metric: GAPPY_GROUP[0], labels: { host: 'gappy' } },
    {
      ...memory,
      metric: GAPPY_GROUP[1],
      labels: { host: 'gappy' },
      timestampsMs: Array.from(memory.timestampsMs).filter((t) => !missedScrape(t)),
      values: Array.from(memory.values).filter((_, i) => !missedScrape(memory.timestampsMs[i])),
    },
  ];
  prometheus = await startPrometheus({ series: [...toPrometheusSeries(dataset), ...probes, offset, ...group] });
  proxy = await startProxyUnderTest({ prometheusUrl: prometheus.url });
});

afterAll(async () => {
  await proxy?.stop();
  await prometheus?.stop();
});

type Matrix = Array<{ metric: Record<string, string>; values: Array<[number, string]> }>;

async function queryRange(url: string, query: string, fromMs: number, toMs: number, stepMs: number): Promise<Matrix> {
  const response = await fetch(`${url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      query,
      start: String(fromMs / 1000),
      end: String(toMs / 1000),
      step: String(stepMs / 1000),
    }),
  });
  const body = (await response.json()) as { status: string; data?: { result: Matrix }; error?: string };
  if (response.status !== 200 || body.status !== 'success') {
    throw new Error(`${query} → ${response.status} ${JSON.stringify(body)}`);
  }
  return body.data!.result;
}

/** What the panel receives for `range` from Grafana's Prometheus data source: one series' rows on the step grid. */
async function grafanaQuery(range: { from: number; to: number }, stepMs: number): Promise<SeriesTable> {
  const align = (ms: number) => Math.floor(ms / stepMs) * stepMs;
  const [series] = await queryRange(prometheus.url, QUERY, align(range.from), align(range.to), stepMs);
  return {
    timestamps: Float64Array.from(series.values, ([seconds]) => seconds * 1000),
    columns: [{ name: 'cpu', values: Float64Array.from(series.values, ([, value]) => Number(value)) }],
  };
}

/** The pieces' rows joined, those outside `keep` left out (as analysePanel's baselineColumns does). */
function joined(tables: SeriesTable[], keep: Range): SeriesTable {
  const rows = tables.flatMap((t) => Array.from(t.timestamps, (time, i) => [time, t.columns[0].values[i]]));
  const kept = rows.filter(([time]) => time >= keep.from && time <= keep.to);
  return {
    timestamps: Float64Array.from(kept, ([time]) => time),
    columns: [{ name: 'cpu', values: Float64Array.from(kept, ([, value]) => value) }],
  };
}

interface Range {
  from: number;
  to: number;
}

/** The panel's online training plan for `visible` (its training query's range, the warm-up's end). */
function onlinePlan(options: AnomalyOptions, visible: Range, stepMs: number) {
  return trainingPlan(options.training, {
    online: true,
    stepMs,
    scoreStartMs: alignedQueryStart(visible.from, stepMs, 0),
    features: { window: options.window, lags: options.lags },
    nowMs: Date.now(),
  })!;
}

/** The engine options the panel's worker gets. */
function panelDetector(options: AnomalyOptions) {
  const detector = toDetectorOptions(options);
  return { ...detector, forest: { ...detector.forest, contamination: options.contamination as number } };
}

/** The panel's online scores of its visible range, by timestamp. */
async function panelScores(options: AnomalyOptions, visible: Range, stepMs: number): Promise<Map<number, number>> {
  const plan = onlinePlan(options, visible, stepMs);
  const pieces = trainingQueryRanges(plan.fetch, stepMs);
  const training = joined(await Promise.all(pieces.map((piece) => grafanaQuery(piece, stepMs))), plan.fetch);
  const table = await grafanaQuery(visible, stepMs);
  const { scored } = await scoreOnline(table, training, panelDetector(options), async () => {}, plan.warmupEndMs);
  return new Map(Array.from(scored.rows, (row, i) => [table.timestamps[row], scored.scores[i]]));
}

/** The proxy's scores for the alert rule the panel writes, over the same range. */
async function ruleScores(options: AnomalyOptions, visible: Range, stepMs: number): Promise<Map<number, number>> {
  const rule = buildAnomalyExpression({ language: 'promql', expr: QUERY }, options, {
    visibleRangeMs: visible.to - visible.from,
    stepMs,
  });
  const expression = rule.replace(/^anomaly_flag\(/, 'anomaly_score(');
  const align = (ms: number) => Math.floor(ms / stepMs) * stepMs;
  const [series] = await queryRange(proxy.url, expression, align(visible.from), align(visible.to), stepMs);
  return new Map(series.values.map(([seconds, value]) => [seconds * 1000, Number(value)]));
}

describe('the panel and its alert rule (online, previous day)', () => {
  it.each([
    ['a range starting 17 minutes past the hour, 1-minute step', 17 * 60_000, STEP_MS],
    ['a range starting 43 minutes past the hour, a 7-minute step (not dividing the hour)', 43 * 60_000, 7 * STEP_MS],
    // Grafana rounds the start down to the step, a few minutes before the hour: the window ends an hour earlier.
    ['a range starting on the hour, a 7-minute step (its start rounded down before the hour)', 0, 7 * STEP_MS],
  ])('score %s alike, point for point', async (_name, pastTheHour, stepMs) => {
    const options = withDefaults({ online: true, trees: 40, training: { kind: 'previous', previousDays: 1 } });
    // An hour that is not on the 7-minute grid (one hour in seven is), so the on-the-hour case tests a start that
    // Grafana rounds down before the hour.
    let hour = Math.floor((dataset.end - 10 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    if (hour % (7 * 60_000) === 0) {
      hour -= HOUR_MS;
    }
    const from = hour + pastTheHour;
    const visible = { from, to: from + 6 * HOUR_MS };

    const [panel, rule] = await Promise.all([
      panelScores(options, visible, stepMs),
      ruleScores(options, visible, stepMs),
    ]);

    expect(panel.size).toBeGreaterThan((6 * HOUR_MS) / stepMs - 2);
    expect([...rule.keys()]).toEqual([...panel.keys()]);
    const differing = [...panel].filter(([t, score]) => rule.get(t) !== score);
    expect(differing).toEqual([]);
  });
});

describe('an online alert evaluated off the step grid', () => {
  it('scores its time as a range query scores the grid point of the same sample (a review: one more warm-up row)', async () => {
    const expression = `anomaly_score(${QUERY}, online=true, train="1d", trees=40, step="1m")`;
    const hour = Math.floor((dataset.end - 10 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    const at = hour + 30 * 60_000; // on the grid; the alert evaluates 30 s later, with the same sample (lookback)
    const [series] = await queryRange(proxy.url, expression, hour + 10 * 60_000, hour + 40 * 60_000, STEP_MS);
    const range = new Map(series.values.map(([seconds, value]) => [seconds * 1000, value]));
    const response = await fetch(`${proxy.url}/api/v1/query`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: expression, time: String((at + 30_000) / 1000) }),
    });
    const instant = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
    expect(instant.data.result[0].value).toEqual([(at + 30_000) / 1000, range.get(at)]);
  });
});

describe('an online alert over samples scraped off the minute', () => {
  // A review (2026-12-06): samples at :07, the alert evaluated at :30 scored on the grid through :30, whose rows
  // (and warm-up's last row) were not the panel's: no score equal. The instant query now scores the epoch's grid.
  it.each([5_000, 30_000, 59_000])(
    'evaluated %d ms past a minute, scores that minute as the range query (the panel) does',
    async (evaluatedAfter) => {
      const expression = `anomaly_score(${SCRAPED_OFF_THE_MINUTE}{host="host-a"}, online=true, train="1d", trees=40, step="1m")`;
      const hour = Math.floor((dataset.end - 10 * HOUR_MS) / HOUR_MS) * HOUR_MS;
      const at = hour + 30 * 60_000;
      const [series] = await queryRange(proxy.url, expression, hour + 10 * 60_000, hour + 40 * 60_000, STEP_MS);
      const range = new Map(series.values.map(([seconds, value]) => [seconds * 1000, value]));
      const response = await fetch(`${proxy.url}/api/v1/query`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ query: expression, time: String((at + evaluatedAfter) / 1000) }),
      });
      const instant = (await response.json()) as { data: { result: Array<{ value: [number, string] }> } };
      expect(range.get(at)).toBeDefined();
      expect(instant.data.result[0].value).toEqual([(at + evaluatedAfter) / 1000, range.get(at)]);
    }
  );
});

/** The panel's online multivariate scores of its visible range, from its worker's tables (pipeline/modelTable). */
async function panelGroupScores(
  query: string,
  options: AnomalyOptions,
  visible: Range,
  stepMs: number
): Promise<Map<number, number>> {
  const plan = onlinePlan(options, visible, stepMs);
  const align = (ms: number) => Math.floor(ms / stepMs) * stepMs;
  const columnsOf = (answers: Matrix[], keep: Range) => {
    const byKey = new Map<string, Array<[number, string]>>();
    for (const answer of answers) {
      for (const series of answer) {
        const key = labelsKey(series.metric);
        byKey.set(key, [...(byKey.get(key) ?? []), ...series.values]);
      }
    }
    return [...byKey].map(([name, values]) => {
      const kept = values.filter(([seconds]) => seconds * 1000 >= keep.from && seconds * 1000 <= keep.to);
      return {
        name,
        times: Float64Array.from(kept, ([seconds]) => seconds * 1000),
        values: Float64Array.from(kept, ([, value]) => Number(value)),
      };
    });
  };
  const sortedOf = (columns: ReturnType<typeof columnsOf>) =>
    columns.map((c) => ({ timestamps: c.times, values: c.values }));
  const pieces = await Promise.all(
    trainingQueryRanges(plan.fetch, stepMs).map((piece) =>
      queryRange(prometheus.url, query, align(piece.from), align(piece.to), stepMs)
    )
  );
  const trainingColumns = columnsOf(pieces, plan.fetch);
  const visibleAnswer = await queryRange(prometheus.url, query, align(visible.from), align(visible.to), stepMs);
  const visibleColumns = columnsOf([visibleAnswer], { from: -Infinity, to: Infinity });
  const { table, alignment } = modelTable(visibleColumns, sortedOf(visibleColumns), stepMs);
  const training = modelTable(trainingColumns, sortedOf(trainingColumns), stepMs, alignment?.stepMs).table;
  const { scored } = await scoreOnline(table, training, panelDetector(options), async () => {}, plan.warmupEndMs);
  return new Map(Array.from(scored.rows, (row, i) => [table.timestamps[row], scored.scores[i]]));
}

describe('the panel and its alert rule, multivariate over missed scrapes', () => {
  // A review (2026-12-06): the panel filled a missed scrape of one series with its previous value, the proxy left
  // the row out, and every later score of the group differed. Both now join the series with the engine's alignOnStep.
  it('score alike, point for point', async () => {
    const query = `{__name__=~"${GAPPY_GROUP.join('|')}"}`;
    const options = withDefaults({
      online: true,
      trees: 40,
      mode: 'multivariate',
      training: { kind: 'previous', previousDays: 1 },
    });
    const hour = Math.floor((dataset.end - 10 * HOUR_MS) / HOUR_MS) * HOUR_MS;
    // 8 hours: at least two outages, whatever minute of the day the dataset ends at.
    const visible = { from: hour + 17 * 60_000, to: hour + 17 * 60_000 + 8 * HOUR_MS };
    const stepMs = 2 * STEP_MS;
    const rule = buildAnomalyExpression({ language: 'promql', expr: query }, options, {
      visibleRangeMs: visible.to - visible.from,
      stepMs,
    }).replace(/^anomaly_flag\(/, 'anomaly_score(');
    expect(rule).toContain('mode=multivariate');
    const align = (ms: number) => Math.floor(ms / stepMs) * stepMs;
    const [panel, [answer], raw] = await Promise.all([
      panelGroupScores(query, options, visible, stepMs),
      queryRange(proxy.url, rule, align(visible.from), align(visible.to), stepMs),
      queryRange(prometheus.url, query, align(visible.from), align(visible.to), stepMs),
    ]);
    // The range holds such gaps: grid times of the first series that the second has no sample for.
    const timesOf = (i: number) => new Set(raw[i].values.map(([seconds]) => seconds));
    const [first, second] = [timesOf(0), timesOf(1)];
    expect([...first].filter((t) => !second.has(t)).length).toBeGreaterThanOrEqual(2);
    const proxied = new Map(answer.values.map(([seconds, value]) => [seconds * 1000, Number(value)]));
    expect(panel.size).toBeGreaterThan((8 * HOUR_MS) / stepMs - 2);
    expect([...proxied.keys()]).toEqual([...panel.keys()]);
    expect([...panel].filter(([t, score]) => proxied.get(t) !== score)).toEqual([]);
  });
});

describe("a multivariate model's columns", () => {
  it("are in Prometheus' order of their series, the order the panel receives them in", async () => {
    const end = dataset.timestamps[dataset.timestamps.length - 1];
    const answer = await queryRange(prometheus.url, ORDER_PROBE, end - 30 * STEP_MS, end, STEP_MS);
    const prometheusOrder = answer.map((series) => labelsKey(series.metric));
    expect(prometheusOrder).toHaveLength(ORDER_PROBE_LABELS.length);

    const [unit] = buildUnits(
      answer.map((series) => ({
        labels: series.metric,
        timestamps: Float64Array.from(series.values, ([seconds]) => seconds * 1000),
        values: Float64Array.from(series.values, ([, value]) => Number(value)),
      })),
      'multivariate',
      ['host']
    );
    const columns = columnOrder(unit).map((name) => labelsKey(unit.columns.get(name)!.labels));
    expect(columns).toEqual(prometheusOrder);
    // Not the order they were given in.
    expect(prometheusOrder).not.toEqual(
      ORDER_PROBE_LABELS.map((labels) => labelsKey({ __name__: ORDER_PROBE, ...labels }))
    );
  });
});
