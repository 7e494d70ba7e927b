/**
 * One contract for the anomaly query language: every expression the panel's "Create alert rule" can build
 * (src/panels/anomaly/alerting/anomalyExpression.ts) parses in the proxy (src/query/anomalyQuery.ts) to exactly the
 * options the panel wrote, across the contract's limits (engine src/contract/), every training kind, mode,
 * seasonality and step, and InfluxQL statements that need quoting; just beyond the limits the panel refuses to build
 * and the proxy refuses to parse. Lives here (not with the panel) because it needs the proxy's parser.
 */
import {
  ANOMALY_INTEGER_LIMITS,
  type AnomalyIntegerOption,
  CONTAMINATION_MAX,
  createRandom,
  formatDuration,
} from '@telemetry-analyzer/engine';
import {
  type AlertSourceQuery,
  AlertRuleBuildError,
  type ExpressionContext,
  buildAnomalyExpression,
} from '../../../src/panels/anomaly/alerting/anomalyExpression';
import { withDefaults } from '../../../src/panels/anomaly/options/defaults';
import type { AnomalyOptions as PanelOptions } from '../../../src/panels/anomaly/types';
import { type AnomalyOptions as ProxyOptions, parseQuery, QueryParseError } from '@telemetry-analyzer/query';

const DAY = 86_400_000;
const INTEGER_OPTIONS = Object.keys(ANOMALY_INTEGER_LIMITS) as AnomalyIntegerOption[];

/** What the proxy must read from the panel's expression: the panel's options in the proxy's terms. */
function expectedProxyOptions(o: PanelOptions, query: AlertSourceQuery, context: ExpressionContext): ProxyOptions {
  const t = o.training;
  const training: ProxyOptions =
    t.kind === 'previous'
      ? { train: Math.round(t.previousDays * DAY) }
      : t.kind === 'absolute' && t.from !== undefined && t.to !== undefined && t.from < t.to
        ? { trainStart: t.from, trainEnd: t.to }
        : { train: Math.round(context.visibleRangeMs) };
  return {
    contamination: o.contamination,
    ...training,
    mode: o.mode === 'multivariate' ? 'multivariate' : 'per-series',
    ...(o.mode === 'multivariate' && o.groupByLabel !== '' ? { by: [o.groupByLabel] } : {}),
    trees: o.trees,
    window: o.window,
    lags: o.lags,
    seasonality: o.seasonality === 'auto' ? 'auto' : o.seasonality === 'on',
    seed: o.seed,
    step: context.stepMs,
    ...(o.online ? { online: true } : {}),
    ...(query.language === 'influxql' && query.upstream ? { upstream: query.upstream } : {}),
  };
}

function expectRoundTrip(query: AlertSourceQuery, options: PanelOptions, context: ExpressionContext): void {
  const expression = buildAnomalyExpression(query, options, context);
  const parsed = parseQuery(expression);
  expect(parsed.kind).toBe('anomaly');
  if (parsed.kind !== 'anomaly') {
    return;
  }
  expect(parsed.query.function).toBe('anomaly_flag');
  expect(parsed.query.options).toEqual(expectedProxyOptions(options, query, context));
  expect(parsed.query.comparison).toBeUndefined();
  if (query.language === 'promql') {
    expect(parsed.query.inner).toMatchObject({ language: 'promql', expression: query.expr.trim() });
  } else {
    expect(parsed.query.inner).toMatchObject({ language: 'influxql', statement: query.statement });
  }
}

const PROMQL: AlertSourceQuery = { language: 'promql', expr: 'rate(node_cpu_seconds_total{mode!="idle"}[5m])' };
const CONTEXT: ExpressionContext = { visibleRangeMs: 6 * 3_600_000, stepMs: 60_000 };

describe('every expression the panel builds parses in the proxy with the same options', () => {
  it.each(INTEGER_OPTIONS.flatMap((name) => ANOMALY_INTEGER_LIMITS[name].map((value) => [name, value] as const)))(
    '%s at its limit %d',
    (name, value) => {
      expectRoundTrip(PROMQL, { ...withDefaults({}), [name]: value }, CONTEXT);
    }
  );

  it.each(
    INTEGER_OPTIONS.flatMap((name) => {
      const [min, max] = ANOMALY_INTEGER_LIMITS[name];
      return [
        [name, min - 1],
        [name, max + 1],
      ] as const;
    })
  )('%s = %d: the panel refuses to build it and the proxy refuses to parse it', (name, value) => {
    const options = { ...withDefaults({}), [name]: value };
    expect(() => buildAnomalyExpression(PROMQL, options, CONTEXT)).toThrow(AlertRuleBuildError);
    const valid = buildAnomalyExpression(PROMQL, withDefaults({}), CONTEXT);
    const written = valid.replace(new RegExp(`\\b${name}=\\d+`), `${name}=${value}`);
    expect(written).not.toBe(valid);
    expect(() => parseQuery(written)).toThrow(QueryParseError);
  });

  it.each(['30s1m', '1m1m', '1.5m'])('a duration outside the shared grammar (%s) is refused by the proxy', (text) => {
    expect(() => parseQuery(`anomaly_flag(up, step="${text}")`)).toThrow('step must be a duration');
    expect(() => parseQuery(`anomaly_flag(up, train="${text}")`)).toThrow('train must be a duration');
  });

  it.each([0.001, 0.01, 0.1234, CONTAMINATION_MAX, 'auto' as const])('contamination %s', (contamination) => {
    expectRoundTrip(PROMQL, { ...withDefaults({}), contamination }, CONTEXT);
  });

  it.each([1, 999, 1000, 15_000, 60_000, 5_400_000, DAY, 36 * 3_600_000 + 1, 400 * DAY + 1001])(
    'step and visible training range of %d ms (written as a duration the proxy reads back exactly)',
    (ms) => {
      expectRoundTrip(PROMQL, withDefaults({}), { visibleRangeMs: ms, stepMs: ms });
      expect(formatDuration(ms)).not.toMatch(/[wy]/);
    }
  );

  it('the default options, every training kind, mode, seasonality, and queries that need quoting (seeded random sample)', () => {
    const random = createRandom(12);
    const pick = <T>(items: readonly T[]): T => items[random.nextInt(items.length)];
    const integerIn = (min: number, max: number) => min + random.nextInt(max - min + 1);
    const queries: AlertSourceQuery[] = [
      PROMQL,
      {
        language: 'promql',
        expr: '  sum by (instance, job) (rate(http_requests_total{code=~"5..",path="/a,b)"}[1m]))  ',
      },
      { language: 'promql', expr: 'avg_over_time(temperature{sensor=`x"y`}[10m]) # comment, with a comma' },
      {
        language: 'influxql',
        statement: 'SELECT mean("cpu") FROM "telemetry" WHERE $timeFilter GROUP BY time($interval), "host"',
      },
      {
        language: 'influxql',
        statement: "SELECT mean(v) FROM m WHERE tag = 'a\\b' AND $timeFilter",
        upstream: 'influx',
      },
      {
        language: 'influxql',
        statement: 'SELECT "a`b" FROM m WHERE $timeFilter\nGROUP BY time(1m)\t-- "x"',
        upstream: 'influx-2',
      },
    ];
    for (let i = 0; i < 300; i++) {
      const from = Date.UTC(2024, 0, 1) + integerIn(0, 1000) * 60_000;
      const options = withDefaults({
        contamination: pick([0.001, 0.01, 0.05, 0.5, 'auto'] as const),
        trees: integerIn(...ANOMALY_INTEGER_LIMITS.trees),
        window: integerIn(...ANOMALY_INTEGER_LIMITS.window),
        lags: integerIn(...ANOMALY_INTEGER_LIMITS.lags),
        seed: integerIn(0, 2 ** 31),
        seasonality: pick(['auto', 'on', 'off'] as const),
        online: pick([false, true]),
        mode: pick(['per-series', 'multivariate'] as const),
        groupByLabel: pick(['', 'instance', 'host_name', '_x1']),
        training: pick([
          { kind: 'visible' as const, previousDays: 7 },
          { kind: 'previous' as const, previousDays: pick([1, 7, 0.5, 1 / 24, 30, 2.75]) },
          { kind: 'absolute' as const, previousDays: 7, from, to: from + integerIn(1, 10_000) * 60_000 },
          { kind: 'absolute' as const, previousDays: 7, from, to: from },
        ]),
      });
      const context = { visibleRangeMs: integerIn(1, 30 * DAY), stepMs: integerIn(1, 2 * DAY) };
      expectRoundTrip(pick(queries), options, context);
    }
  });
});
