// Property-based tests of the anomaly query parser (fast-check): whatever the input, it returns or throws its own
// QueryParseError pointing inside the query (never another error, never a hang), and what it accepts round-trips:
// printed back and parsed again, it is the same query.
import { formatDuration } from '@telemetry-analyzer/engine';
import fc from 'fast-check';
import { mutated } from './support/mutated';
import { QueryParseError } from '../src/errors';
import { type AnomalyQuery, parseQuery } from '../src/query/anomalyQuery';

/** A PromQL double-quoted string literal of `text` (the escapes the proxy's lexer reads). */
function promqlString(text: string): string {
  const escaped = text.replace(
    /[\\"\n\r\t]/g,
    (c) => ({ '\\': '\\\\', '"': '\\"', '\n': '\\n', '\r': '\\r', '\t': '\\t' })[c]!
  );
  return `"${escaped}"`;
}

function number(value: number): string {
  if (Object.is(value, -0)) {
    return '-0';
  }
  return Number.isFinite(value) ? String(value) : value > 0 ? '1e999' : '-1e999';
}

/** Prints a parsed query back as query text. */
function printQuery(query: AnomalyQuery): string {
  const o = query.options;
  const options: string[] = [];
  if (o.contamination !== undefined) {
    options.push(`contamination=${o.contamination === 'auto' ? 'auto' : number(o.contamination)}`);
  }
  if (o.train !== undefined) {
    options.push(`train="${formatDuration(o.train)}"`);
  }
  if (o.trainStart !== undefined) {
    options.push(`train_start=${o.trainStart / 1000}`, `train_end=${o.trainEnd! / 1000}`);
  }
  if (o.mode !== undefined) {
    options.push(`mode=${JSON.stringify(o.mode)}`);
  }
  if (o.by !== undefined) {
    options.push(`by=${promqlString(o.by.join(','))}`);
  }
  for (const name of ['trees', 'window', 'lags', 'seed'] as const) {
    if (o[name] !== undefined) {
      options.push(`${name}=${o[name]}`);
    }
  }
  if (o.seasonality !== undefined) {
    options.push(`seasonality=${o.seasonality}`);
  }
  if (o.step !== undefined) {
    options.push(`step="${formatDuration(o.step)}"`);
  }
  if (o.upstream !== undefined) {
    options.push(`upstream=${promqlString(o.upstream)}`);
  }
  const inner =
    query.inner.language === 'influxql' ? `influxql(${promqlString(query.inner.statement)})` : query.inner.expression;
  // A newline ends a PromQL comment the wrapped expression may hold.
  const call = `${query.function}(${inner}\n${options.map((option) => `, ${option}`).join('')})`;
  const c = query.comparison;
  return c ? `${call} ${c.operator} ${c.bool ? 'bool ' : ''}${number(c.value)}` : call;
}

/** What a parse means, without the positions (they differ between two spellings of one query). */
function meaning(query: AnomalyQuery) {
  const { optionPositions: _positions, inner, ...rest } = query;
  const { offset: _offset, ...innerMeaning } = inner;
  return { ...rest, inner: innerMeaning };
}

const INNER_PROMQL = [
  'up',
  'rate(http_requests_total{job="api", code=~"5.."}[5m])',
  'sum by (host) (cpu_usage_percent{job="telemetry"})',
  'cpu_usage_percent offset 5m',
  '{__name__=~"cpu|mem", host!="a,b)"}',
  'max_over_time(x[1h:5m]) # a comment',
  'histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))',
];

const labelName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,8}$/);
const options = fc
  .record(
    {
      contamination: fc.oneof(
        fc.constant('auto' as const),
        fc.integer({ min: 1, max: 500 }).map((n) => n / 1000)
      ),
      train: fc.integer({ min: 1, max: 100_000 }).map((n) => n * 60_000),
      trainRange: fc
        .tuple(fc.integer({ min: 1_000_000_000, max: 2_000_000_000 }), fc.integer({ min: 1, max: 10_000_000 }))
        .map(([start, length]) => ({ trainStart: start * 1000, trainEnd: (start + length) * 1000 })),
      mode: fc.constantFrom('per-series' as const, 'multivariate' as const),
      by: fc.array(labelName, { minLength: 1, maxLength: 3 }),
      trees: fc.integer({ min: 1, max: 10_000 }),
      window: fc.integer({ min: 2, max: 10_000 }),
      lags: fc.integer({ min: 0, max: 1_000 }),
      seed: fc.integer({ min: 0, max: 2 ** 32 - 1 }),
      seasonality: fc.constantFrom('auto' as const, true, false),
      step: fc.integer({ min: 1, max: 86_400 }).map((n) => n * 1000),
      upstream: fc.string({ minLength: 1, maxLength: 12 }),
    },
    { requiredKeys: [] }
  )
  .map(({ trainRange, ...rest }) => {
    const chosen: AnomalyQuery['options'] = { ...rest };
    if (trainRange) {
      delete chosen.train;
      Object.assign(chosen, trainRange);
    }
    if (chosen.by) {
      chosen.mode = 'multivariate'; // by= groups series: it implies (and needs) the multivariate mode
    }
    return chosen;
  });

const anomalyQuery: fc.Arbitrary<AnomalyQuery> = fc.record({
  function: fc.constantFrom('anomaly_score' as const, 'anomaly_flag' as const, 'anomaly_threshold' as const),
  inner: fc.oneof(
    fc.constantFrom(...INNER_PROMQL).map((expression) => ({ language: 'promql' as const, expression, offset: 0 })),
    fc
      .string({ minLength: 1, maxLength: 60, unit: 'binary' })
      .filter((statement) => statement.trim() !== '')
      .map((statement) => ({ language: 'influxql' as const, statement, offset: 0 }))
  ),
  options,
  optionPositions: fc.constant({}),
  comparison: fc.option(
    fc.record({
      operator: fc.constantFrom('>' as const, '>=' as const, '<' as const, '<=' as const, '==' as const, '!=' as const),
      value: fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.double({ min: -10, max: 10, noNaN: true })),
      bool: fc.boolean(),
    }),
    { nil: undefined }
  ),
});

/** Query text an attacker might send: noise, or a valid query with characters inserted, deleted or replaced. */
const hostileText = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.string({ maxLength: 200, unit: fc.constantFrom(...'anomaly_flag(influxql"\'`#\\,)=>{}[]~! 0.5e-\n') }),
  mutated(anomalyQuery.map(printQuery))
);

const RUNS = { numRuns: 2000 };

describe('parseQuery, fuzzed', () => {
  it('parses every generated query to what it was printed from', () => {
    fc.assert(
      fc.property(anomalyQuery, (query) => {
        const parsed = parseQuery(printQuery(query));
        expect(parsed.kind).toBe('anomaly');
        expect(meaning((parsed as { query: AnomalyQuery }).query)).toEqual(meaning(query));
      }),
      RUNS
    );
  });

  it('throws nothing but QueryParseError, pointing inside the query; what it accepts round-trips', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        let parsed: ReturnType<typeof parseQuery>;
        try {
          parsed = parseQuery(text);
        } catch (error) {
          expect(error).toBeInstanceOf(QueryParseError);
          expect((error as QueryParseError).position).toBeGreaterThanOrEqual(1);
          expect((error as QueryParseError).position).toBeLessThanOrEqual(text.length + 1);
          return;
        }
        if (parsed.kind === 'anomaly') {
          const again = parseQuery(printQuery(parsed.query));
          expect(again.kind).toBe('anomaly');
          expect(meaning((again as { query: AnomalyQuery }).query)).toEqual(meaning(parsed.query));
        }
      }),
      RUNS
    );
  });

  it('stays fast on the longest query the proxy accepts (limits.maxQueryLength)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 16_000, maxLength: 16_384, unit: fc.constantFrom(...'(["a,=#\n') }),
        (text) => {
          try {
            parseQuery(`anomaly_flag(${text})`);
          } catch (error) {
            expect(error).toBeInstanceOf(QueryParseError);
          }
        }
      ),
      { numRuns: 20 }
    );
  });
});
