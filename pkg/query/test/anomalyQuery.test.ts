import { QueryParseError } from '../src/errors';
import { AnomalyQuery, parseQuery } from '../src/query/anomalyQuery';

function parseAnomaly(query: string): AnomalyQuery {
  const parsed = parseQuery(query);
  if (parsed.kind !== 'anomaly') {
    throw new Error(`expected an anomaly query: ${query}`);
  }
  return parsed.query;
}

function parseError(query: string): QueryParseError {
  try {
    parseQuery(query);
  } catch (error) {
    if (error instanceof QueryParseError) {
      return error;
    }
    throw error;
  }
  throw new Error(`expected a parse error: ${query}`);
}

describe('plain PromQL is not parsed (the upstream judges it)', () => {
  it.each([
    'up',
    'sum by (instance) (rate(node_cpu_seconds_total{mode!="idle"}[5m]))',
    '1+1',
    'rate(x[5m]',
    'up{job="anomaly_flag(x)"}',
    'my_anomaly_flag_total',
  ])('%s', (query) => {
    expect(parseQuery(query)).toMatchObject({ kind: 'plain' });
  });
});

describe('valid anomaly queries', () => {
  it('finds the wrapped expression across brackets, braces, strings and nested calls', () => {
    const query = parseAnomaly(
      'anomaly_flag(sum by (instance) (rate(x{job="a,b)", path=~"/x\\\\(y"}[5m:1m])), contamination=0.02)'
    );
    expect(query.function).toBe('anomaly_flag');
    expect(query.inner).toEqual({
      language: 'promql',
      expression: 'sum by (instance) (rate(x{job="a,b)", path=~"/x\\\\(y"}[5m:1m]))',
      offset: 13,
    });
    expect(query.options).toEqual({ contamination: 0.02 });
  });

  it('parses every option with its documented type', () => {
    const query = parseAnomaly(
      'anomaly_score(rate(x[5m]), contamination=auto, train="7d", mode="multivariate", by="instance, job", trees=50, window=6, lags=0, seasonality=false, seed=7, step=30s, upstream="prom")'
    );
    expect(query.options).toEqual({
      contamination: 'auto',
      train: 7 * 86_400_000,
      mode: 'multivariate',
      by: ['instance', 'job'],
      trees: 50,
      window: 6,
      lags: 0,
      seasonality: false,
      seed: 7,
      step: 30_000,
      upstream: 'prom',
    });
  });

  it('accepts a fixed training range as RFC 3339 or unix seconds', () => {
    const query = parseAnomaly('anomaly_score(x, train_start="2024-01-01T00:00:00Z", train_end=1704153600)');
    expect(query.options.trainStart).toBe(Date.UTC(2024, 0, 1));
    expect(query.options.trainEnd).toBe(Date.UTC(2024, 0, 2));
  });

  it.each(['mode="per-series"', 'mode=univariate', 'mode="per-column"'])(
    "%s is the per-series mode every host names so (univariate: the proxy's earlier name)",
    (option) => {
      expect(parseAnomaly(`anomaly_flag(x, ${option})`).options).toEqual({ mode: 'per-series' });
    }
  );

  it('lets by imply mode=multivariate', () => {
    expect(parseAnomaly('anomaly_flag(x, by=instance)').options).toEqual({ by: ['instance'], mode: 'multivariate' });
  });

  it.each([
    ['anomaly_flag(x) > 0', { operator: '>', value: 0, bool: false }],
    ['anomaly_score(x) >= 0.7', { operator: '>=', value: 0.7, bool: false }],
    ['anomaly_flag(x) == 1', { operator: '==', value: 1, bool: false }],
    ['anomaly_score(x) > bool 0.6', { operator: '>', value: 0.6, bool: true }],
    ['anomaly_threshold(x) != -1', { operator: '!=', value: -1, bool: false }],
    // PromQL's NaN and Inf literals, in any case (a review found them refused).
    ['anomaly_score(x) > NaN', { operator: '>', value: NaN, bool: false }],
    ['anomaly_score(x) < inf', { operator: '<', value: Infinity, bool: false }],
    ['anomaly_score(x) > bool -Inf', { operator: '>', value: -Infinity, bool: true }],
    // Octal, as Prometheus reads a leading 0 (a review).
    ['anomaly_flag(x) == 010', { operator: '==', value: 8, bool: false }],
  ])('trailing comparison %s', (text, comparison) => {
    expect(parseAnomaly(text).comparison).toEqual(comparison);
  });

  it('unwraps influxql("...") with the statement decoded', () => {
    const query = parseAnomaly(
      'anomaly_flag(influxql("SELECT mean(\\"cpu\\") FROM telemetry WHERE $timeFilter GROUP BY time($interval), host"), upstream="influx")'
    );
    expect(query.inner).toEqual({
      language: 'influxql',
      statement: 'SELECT mean("cpu") FROM telemetry WHERE $timeFilter GROUP BY time($interval), host',
      offset: 13,
    });
    expect(query.options.upstream).toBe('influx');
  });

  it('accepts raw backtick strings and comments', () => {
    const query = parseAnomaly('anomaly_score(influxql(`SELECT "a" FROM m WHERE $timeFilter`)) # alert me\n');
    expect(query.inner).toMatchObject({ language: 'influxql', statement: 'SELECT "a" FROM m WHERE $timeFilter' });
  });

  it('records where each option value starts (1-based) for later errors', () => {
    const query = parseAnomaly('anomaly_flag(x, upstream="evil")');
    expect(query.optionPositions.upstream).toBe(26);
  });
});

describe('malformed anomaly queries are 400 bad_data with the position', () => {
  // [query, 1-based char, part of the reason]
  const cases: Array<[string, number, string]> = [
    ['anomaly_flag(', 14, 'unclosed "(" opened at char 13'],
    ['anomaly_flag()', 14, 'needs an expression'],
    ['anomaly_flag(, trees=3)', 14, 'needs an expression'],
    ['anomaly_flag(rate(x[5m])', 25, 'unclosed "(" opened at char 13'],
    ['anomaly_flag(rate(x[5m)))', 23, 'unexpected ")"'],
    ['anomaly_flag(x{a="b"])', 21, 'unexpected "]"'],
    ['anomaly_flag(x{a="b})', 18, 'unterminated string'],
    ['anomaly_flag(x, trees)', 22, 'expected "=" after option trees'],
    ['anomaly_flag(x, trees=)', 23, 'expected a value for option trees'],
    ['anomaly_flag(x, tres=10)', 17, 'unknown option "tres"'],
    ['anomaly_flag(x, trees=10, trees=20)', 27, 'given twice'],
    ['anomaly_flag(x, trees=0)', 23, 'trees must be an integer'],
    // The rolling std needs two points; only the bound crossed is named (the proxy's own limits are lower maxima).
    ['anomaly_flag(x, window=1)', 24, 'window must be an integer of at least 2, got 1'],
    ['anomaly_flag(x, window=20000)', 24, 'window must be an integer of at most 10000, got 20000'],
    ['anomaly_flag(x, trees=2.5)', 23, 'trees must be an integer, got 2.5'],
    // Number("") is 0: both were read as 0 (an attack review).
    ['anomaly_flag(x, lags="")', 22, 'lags must be an integer, got ""'],
    ['anomaly_flag(x, seed="  ")', 22, 'seed must be an integer, got "  "'],
    ['anomaly_flag(x, contamination=0.7)', 31, 'contamination must be auto or a number in (0, 0.5]'],
    ['anomaly_flag(x, contamination=lots)', 31, 'contamination must be'],
    ['anomaly_flag(x, train="a week")', 23, 'train must be a duration'],
    // A literal, but beyond what a duration may spell (Prometheus: "duration out of range"): said so, not "must be".
    [
      'anomaly_flag(x, train="9999999999999d")',
      23,
      'train "9999999999999d" is out of range: at most 106751d23h47m16s854ms',
    ],
    ['anomaly_flag(x, step=60)', 22, 'step must be a duration'],
    [
      'anomaly_flag(x, mode="both")',
      22,
      'mode must be "per-series" or multivariate (univariate and "per-column": "per-series")',
    ],
    // Unquoted, a hyphen ends the name: said with the spelling that works.
    ['anomaly_flag(x, mode=per-series)', 22, 'mode must be "per-series" or multivariate'],
    ['anomaly_flag(x, by="inst-ance")', 20, 'by must be a label name'],
    ['anomaly_flag(x, mode=univariate, by=instance)', 37, 'cannot be used with mode=per-series'],
    ['anomaly_flag(x, seasonality=maybe)', 29, 'seasonality must be auto, true or false'],
    ['anomaly_flag(x, train_start="2024-01-01T00:00:00Z")', 29, 'must be given together'],
    ['anomaly_flag(x, train_start=200, train_end=100)', 44, 'train_end must be after train_start'],
    ['anomaly_flag(x, train_start="yesterday", train_end=100)', 29, 'train_start must be an RFC 3339 time'],
    ['anomaly_flag(x, upstream=5)', 26, 'upstream must name a configured upstream'],
    ['anomaly_flag(x) > ', 19, 'expected a number after ">"'],
    ['anomaly_flag(x) > 0 and up', 21, 'only a comparison like "> 0" may follow'],
    ['anomaly_flag(x) + 1', 17, 'only a comparison like "> 0" may follow'],
    ['anomaly_flag(x) anomaly_score(y)', 17, 'only a comparison'],
    ['sum(anomaly_flag(x))', 5, 'must be the outermost function'],
    ['anomaly_flag(anomaly_score(x))', 14, 'cannot be nested'],
    ['anomaly_flag(rate(influxql("SELECT 1")[5m]))', 19, 'must be the whole first argument'],
    ['anomaly_flag(influxql(cpu))', 23, 'expects one string literal'],
    ['anomaly_flag(influxql("SELECT 1") + 1)', 35, 'it must be the whole first argument'],
    ['anomaly_flag(influxql("  "))', 23, 'the InfluxQL statement is empty'],
    ['influxql("SELECT 1")', 1, 'only allowed as the first argument of an anomaly function'],
    ['anomaly_flag(x, 5)', 17, 'expected an option name'],
    ['anomaly_flag(x{a="\\q"})', 19, 'unknown escape sequence'],
    // Before (a review, 2026-12-05): accepted, scoring one value repeated (the proxy's fetch's start, not the range's).
    ['anomaly_flag(x @ start())', 18, "@ start() inside anomaly_flag() would refer to the proxy's own fetches"],
    ['anomaly_score(x) > 1e400', 20, 'error parsing number: 1e400 is out of range'],
    ['anomaly_score(rate(x[5m] @ END())[1h:])', 28, '@ END() inside anomaly_score()'],
  ];

  it.each(cases)('%s → char %i', (query, position, reason) => {
    const error = parseError(query);
    expect(error.position).toBe(position);
    expect(error.reason).toContain(reason);
    expect(error.httpStatus).toBe(400);
    expect(error.toBody()).toEqual({
      status: 'error',
      errorType: 'bad_data',
      error: `parse error at char ${position}: ${error.reason}`,
    });
  });

  it('has at least 20 malformed cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(20);
  });
});

describe('numbers are lexed as Prometheus lexes them (scanNumber: greedy, then nothing alphanumeric may follow)', () => {
  it.each([
    ['1a', 1, 'bad number or duration syntax: "1a"'],
    ['x > 12.5e3_', 5, 'bad number or duration syntax: "12.5e3_"'],
    ['anomaly_flag(x) > 0.5x', 19, 'bad number or duration syntax: "0.5x"'],
    ['rate(x[30dx1ms])', 8, 'bad number or duration syntax: "30d"'],
    ['0x1g', 1, 'bad number or duration syntax: "0x1g"'],
  ])('%s → char %i', (query, position, reason) => {
    expect(parseError(query)).toMatchObject({ position, reason });
  });

  it.each(['1.5 + .5e-3', 'x offset 1h30m', 'x > 0x1F', 'rate(x[5m:1m])', 'x @ 1609746000', 'x[5m] > 1e3'])(
    '%s lexes',
    (query) => expect(parseQuery(query)).toMatchObject({ kind: 'plain' })
  );

  it('refuses a digit run followed by a letter at once, however long (it once took time cubic in its length)', () => {
    // 16 384 chars, the proxy's longest query: the old lexer needed about an hour of event loop for it.
    for (const run of [
      '1'.repeat(16_383) + 'a',
      '9'.repeat(8000) + '.' + '9'.repeat(8000) + '_',
      '1m'.repeat(8000) + 'x',
    ]) {
      expect(parseError(run)).toMatchObject({ position: 1 });
    }
  });
});
