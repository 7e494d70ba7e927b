/**
 * Panel ↔ alert parity: the expression the anomaly panel's "Create alert rule" builds must make the proxy train the
 * same model the panel trains. For several panel option sets: build the expression with the panel's own code, run it
 * through the real proxy (fake Prometheus upstream, model store on disk), then train the panel's detector on the
 * same training data with the panel's option mapping and compare options, forests and scores.
 * Lives here rather than next to the panel because it needs the proxy (Node, HTTP), which the panel's jsdom
 * project and tsconfig cannot include.
 */
import { AnomalyDetector, type DetectorOptions, type SeriesTable } from '@telemetry-analyzer/engine';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AlertRuleBuildError, buildAnomalyExpression } from '../../../src/panels/anomaly/alerting/anomalyExpression';
import { toDetectorOptions } from '../../../src/panels/anomaly/model/detectorOptions';
import { withDefaults } from '../../../src/panels/anomaly/options/defaults';
import type { AnomalyOptions } from '../../../src/panels/anomaly/types';
import { parseConfig } from '../src/config';
import { parseQuery, labelsKey } from '@telemetry-analyzer/query';
import { RunningProxy, startProxy } from '../src/server';
import { FakeSeries, FakeServer, startFakePrometheus } from './support/fakeUpstreams';

const STEP = 60_000;
const DAY = 86_400_000;
const T0 = Date.UTC(2024, 0, 10); // a multiple of STEP, with days of history before it
const at = (i: number) => T0 + i * STEP;
const VISIBLE = { from: at(400), to: at(460) };

function wave(i: number, phase: number): number {
  return 10 + 2 * Math.sin(i / 7 + phase) + ((Math.abs(i) * 37) % 11) / 10;
}

const SERIES: FakeSeries[] = [
  {
    labels: { __name__: 'cpu', instance: 'a', job: 'node' },
    valueAt: (t) => wave((t - T0) / STEP, 0) + (t === at(430) ? 40 : 0),
  },
  { labels: { __name__: 'cpu', instance: 'b', job: 'node' }, valueAt: (t) => wave((t - T0) / STEP, 1) },
];

/** What the panel's worker trains with (worker/runScoreJob.ts): the mapped options plus the contamination. */
function panelDetectorOptions(o: AnomalyOptions): DetectorOptions {
  const mapped = toDetectorOptions(o);
  return { ...mapped, forest: { ...mapped.forest, contamination: o.contamination }, mode: 'multivariate' };
}

/** The panel's training length for these options (model/trainingRange.ts; visible = the dashboard range). */
function panelTrainingLengthMs(o: AnomalyOptions): number {
  const t = o.training;
  if (t.kind === 'previous') {
    return t.previousDays * DAY;
  }
  if (t.kind === 'absolute' && t.from !== undefined && t.to !== undefined && t.from < t.to) {
    return t.to - t.from;
  }
  return VISIBLE.to - VISIBLE.from;
}

interface StoredFile {
  /** `<labels of the series or group> columns [...]` (models/modelRepository descriptions). */
  description: string;
  trainStart: number;
  trainEnd: number;
  detector: unknown;
}

/**
 * Which fake series a model column holds. Univariate columns are all named after __name__, so the model's
 * description (its series' labels) says which; multivariate columns are the series' labels minus the `by` label.
 */
function seriesOfColumn(stored: StoredFile, o: AnomalyOptions): (column: string) => FakeSeries {
  if (o.mode !== 'multivariate') {
    const series = SERIES.find((s) => stored.description.startsWith(`${labelsKey(s.labels)} columns`))!;
    return () => series;
  }
  return (column) =>
    SERIES.find((s) => {
      const columnLabels = { ...s.labels };
      if (o.groupByLabel) {
        delete columnLabels[o.groupByLabel];
      }
      return labelsKey(columnLabels) === column;
    })!;
}

let prometheus: FakeServer;
let proxy: RunningProxy;
let storeDirectory: string;

beforeEach(async () => {
  prometheus = await startFakePrometheus(SERIES);
  storeDirectory = mkdtempSync(join(tmpdir(), 'panel-alert-parity-'));
  // Engine defaults deliberately unlike the panel's: the expression must spell every option out.
  const yaml = `
listen: "127.0.0.1:0"
upstreams:
  prom: { type: prometheus, url: "${prometheus.url}", timeout: 5s }
engine: { contamination: 0.2, trees: 7, window: 30, lags: 3, seasonality: true, seed: 1, trainingWindow: 3h }
modelStore: { directory: "${storeDirectory}" }
log: { level: silent }`;
  proxy = await startProxy(parseConfig(yaml, 'test'));
});

afterEach(async () => {
  await proxy.close();
  await prometheus.close();
});

async function scoreThroughProxy(
  expression: string
): Promise<Array<{ metric: Record<string, string>; values: Array<[number, string]> }>> {
  const response = await fetch(`${proxy.url}/api/v1/query_range`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      query: expression.replace(/^anomaly_flag\(/, 'anomaly_score('),
      start: String(VISIBLE.from / 1000),
      end: String(VISIBLE.to / 1000),
      step: String(STEP / 1000),
    }),
  });
  const body = await response.json();
  expect(body).toMatchObject({ status: 'success' });
  return body.data.result;
}

function storedModels(): StoredFile[] {
  return readdirSync(storeDirectory)
    .filter((name) => name.endsWith('.json'))
    .map((name) => JSON.parse(readFileSync(join(storeDirectory, name), 'utf8')) as StoredFile);
}

/** The table the proxy trained `detector` on, rebuilt from the series formulas (columns in the model's order). */
function tableFor(
  detector: AnomalyDetector,
  columnSeries: (column: string) => FakeSeries,
  from: number,
  to: number
): SeriesTable {
  const timestamps: number[] = [];
  for (let t = from; t <= to; t += STEP) {
    timestamps.push(t);
  }
  return {
    timestamps: Float64Array.from(timestamps),
    columns: detector.columns.map((name) => ({
      name,
      values: Float64Array.from(timestamps, (t) => columnSeries(name).valueAt(t)),
    })),
  };
}

const CASES: Array<[string, Partial<AnomalyOptions>]> = [
  ['the defaults: per series, trained on the visible range', {}],
  [
    'previous 2 days, contamination auto, seasonality auto (hour of day after 2 days), wider window, two lags',
    {
      training: { kind: 'previous', previousDays: 2 },
      contamination: 'auto',
      seasonality: 'auto',
      window: 6,
      lags: 2,
      seed: 7,
    },
  ],
  [
    'absolute training range, multivariate by job, seasonality off, no lags',
    {
      mode: 'multivariate',
      groupByLabel: 'job',
      training: { kind: 'absolute', previousDays: 7, from: at(0), to: at(300) },
      seasonality: 'off',
      contamination: 0.05,
      window: 3,
      lags: 0,
    },
  ],
  [
    'multivariate without a group label, largest seed, seasonality on',
    { mode: 'multivariate', seed: 2 ** 32 - 1, seasonality: 'on', contamination: 0.5, trees: 13 },
  ],
];

describe("the alert expression built by the panel makes the proxy train the panel's model", () => {
  it.each(CASES)('%s', async (_name, partial) => {
    const options = withDefaults({ trees: 25, ...partial });
    const expression = buildAnomalyExpression({ language: 'promql', expr: 'cpu' }, options, {
      visibleRangeMs: VISIBLE.to - VISIBLE.from,
      stepMs: STEP,
    });
    const parsed = parseQuery(expression);
    expect(parsed.kind).toBe('anomaly');

    const answer = await scoreThroughProxy(expression);
    const models = storedModels();
    const multivariate = options.mode === 'multivariate';
    expect(models).toHaveLength(multivariate ? 1 : SERIES.length);
    expect(answer).toHaveLength(SERIES.length);

    for (const stored of models) {
      expect(stored.trainEnd - stored.trainStart).toBe(panelTrainingLengthMs(options));
      const proxyDetector = AnomalyDetector.fromJSON(stored.detector);
      const columnSeries = seriesOfColumn(stored, options);
      const training = tableFor(proxyDetector, columnSeries, stored.trainStart, stored.trainEnd);
      const panelDetector = AnomalyDetector.train(training, panelDetectorOptions(options));

      expect(panelDetector.options).toEqual(proxyDetector.options);
      expect(JSON.parse(JSON.stringify(panelDetector.toJSON()))).toEqual(stored.detector);

      // Same model, same data → the proxy's scores are the panel's scores.
      const warmupMs = (options.window + options.lags + 1) * STEP;
      const scoring = tableFor(proxyDetector, columnSeries, VISIBLE.from - warmupMs, VISIBLE.to);
      const [panelResult] = panelDetector.score(scoring);
      const panelScores = new Map<number, number>();
      panelResult.rowIndex.forEach((row, k) => panelScores.set(scoring.timestamps[row], panelResult.scores[k]));
      const scoredSeries = answer.filter((r) =>
        proxyDetector.columns.some((c) => columnSeries(c).labels.instance === r.metric.instance)
      );
      expect(scoredSeries.length).toBeGreaterThan(0);
      for (const series of scoredSeries) {
        const inRange = [...panelScores].filter(([t]) => t >= VISIBLE.from);
        expect(series.values).toEqual(inRange.map(([t, score]) => [t / 1000, String(score)]));
      }
    }
  });
});

describe('the proxy parses every option of the built expression as the panel meant it', () => {
  const context = { visibleRangeMs: 6 * 3_600_000, stepMs: 15_000 };

  it('maps each panel option to the proxy option', () => {
    const options = withDefaults({
      contamination: 0.02,
      trees: 150,
      window: 24,
      lags: 3,
      seasonality: 'off',
      seed: 9,
      mode: 'multivariate',
      groupByLabel: 'host',
      training: { kind: 'previous', previousDays: 1.5 },
    });
    const parsed = parseQuery(
      buildAnomalyExpression({ language: 'promql', expr: 'rate(cpu{job="a,b"}[5m])' }, options, context)
    );
    expect(parsed).toMatchObject({
      kind: 'anomaly',
      query: {
        function: 'anomaly_flag',
        inner: { language: 'promql', expression: 'rate(cpu{job="a,b"}[5m])' },
        options: {
          contamination: 0.02,
          train: 1.5 * DAY,
          mode: 'multivariate',
          by: ['host'],
          trees: 150,
          window: 24,
          lags: 3,
          seasonality: false,
          seed: 9,
          step: 15_000,
        },
      },
    });
  });

  it('copies an absolute training range to the millisecond and a visible range as its length', () => {
    const absolute = withDefaults({
      training: { kind: 'absolute', previousDays: 7, from: 1_700_000_000_123, to: 1_700_086_400_456 },
    });
    const visible = withDefaults({ training: { kind: 'visible', previousDays: 7 } });
    const parse = (o: AnomalyOptions) => {
      const parsed = parseQuery(buildAnomalyExpression({ language: 'promql', expr: 'up' }, o, context));
      return parsed.kind === 'anomaly' ? parsed.query.options : undefined;
    };
    expect(parse(absolute)).toMatchObject({ trainStart: 1_700_000_000_123, trainEnd: 1_700_086_400_456 });
    expect(parse(absolute)?.train).toBeUndefined();
    expect(parse(visible)).toMatchObject({ train: 6 * 3_600_000, mode: 'per-series' });
  });

  it.each([
    [
      'double quotes and a newline',
      'SELECT mean("usage") FROM "cpu"\nWHERE $timeFilter GROUP BY time($__interval), "host"',
    ],
    ['a backtick, a backslash and quotes', 'SELECT mean(v) FROM m WHERE tag =~ /a\\.b/ AND x = \'`\' AND "y" = 1'],
  ])('wraps InfluxQL with %s so the proxy reads back the same statement', (_name, statement) => {
    const parsed = parseQuery(
      buildAnomalyExpression({ language: 'influxql', statement, upstream: 'influx' }, withDefaults({}), context)
    );
    expect(parsed).toMatchObject({
      kind: 'anomaly',
      query: { inner: { language: 'influxql', statement }, options: { upstream: 'influx' } },
    });
  });

  it('refuses what the proxy cannot reproduce instead of alerting on a different model', () => {
    const build = (o: Partial<AnomalyOptions>) => () =>
      buildAnomalyExpression({ language: 'promql', expr: 'up' }, withDefaults(o), context);
    expect(build({ maxSamples: 64 })).toThrow(
      new AlertRuleBuildError(
        'Max samples is 64, but the anomaly proxy always draws min(256, points) per tree: set Max samples to auto so the alert scores like the panel'
      )
    );
    // A saved seed of -1 is 0 for the panel (withDefaults clamps it), and so for its alert; options that bypass
    // withDefaults are still refused.
    expect(parseQuery(build({ seed: -1 })())).toMatchObject({ kind: 'anomaly', query: { options: { seed: 0 } } });
    expect(() =>
      buildAnomalyExpression({ language: 'promql', expr: 'up' }, { ...withDefaults({}), seed: -1 }, context)
    ).toThrow('seed is -1; the anomaly proxy accepts 0–4294967295');
    expect(build({ lags: 1001 })).toThrow('lags is 1001; the anomaly proxy accepts 0–1000');
  });
});
