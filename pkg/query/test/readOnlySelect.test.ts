import {
  type StatementLimits,
  InfluxqlError,
  MAX_NESTING,
  MAX_SOURCES,
  MAX_VALUES,
  checkReadOnlySelect,
} from '../src/upstreams/influxql/readOnlySelect';

const SCOPE = { database: 'telemetry', retentionPolicies: ['autogen', 'long'] };
/** As costLimits' influxqlLimits makes them, without a range (a request's check). */
const LIMITS: StatementLimits = {
  points: { max: 111_000, source: 'the point limits' },
  series: { max: 500, source: 'the series limit' },
};

/** `¦` marks the character the error must point at (removed before checking). */
function refusal(marked: string, limits: StatementLimits = LIMITS): { offset: number; reason: string } {
  const statement = marked.replace('¦', '');
  try {
    checkReadOnlySelect(statement, SCOPE, limits);
  } catch (error) {
    expect(error).toBeInstanceOf(InfluxqlError);
    return { offset: (error as InfluxqlError).offset, reason: (error as InfluxqlError).reason };
  }
  throw new Error(`accepted: ${statement}`);
}

describe('checkReadOnlySelect', () => {
  it.each([
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host',
    'SELECT mean("value") AS "v" FROM "telemetry"."autogen"."cpu" WHERE $timeFilter GROUP BY time($__interval) fill(null)',
    'select max(x::float) from long.cpu where host =~ /^web/ AND $timeFilter group by time(1m), * fill(none)',
    // InfluxDB's casts to a field or a tag (an attack review: refused, FIELD and TAG being keywords).
    "SELECT mean(value::field) FROM cpu WHERE host::tag = 'a' AND $timeFilter GROUP BY time(1m)",
    'select max(x) from cpu where host =~ /^web/ AND time > now() - 1h AND $timeFilter group by host',
    'SELECT count(DISTINCT host) FROM telemetry..cpu WHERE $timeFilter GROUP BY time(5m)',
    "SELECT percentile(x, 95) / 2 - 1 FROM /^cpu/ WHERE \"host\" = 'a\\'b' AND $timeFilter -- trailing comment",
    'SELECT mean(m) FROM (SELECT max(x) AS m FROM cpu WHERE $timeFilter GROUP BY time(1m), host) WHERE $timeFilter AND x > 1 GROUP BY TIME($__interval, 30s)',
    "SELECT * FROM cpu WHERE $timeFilter ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 1 SOFFSET 0 tz('Europe/Paris')",
    'SELECT /* a comment */ x FROM cpu WHERE time >= 1700000000000ms AND time <= 1700000060000ms AND $timeFilter',
    // A subquery is bounded by the statement's $timeFilter: InfluxDB 1.6 applies it to the subquery too.
    'SELECT mean(v) FROM (SELECT v FROM cpu) WHERE $timeFilter',
    'SELECT\tx\r\nFROM cpu\r\nWHERE $timeFilter\r\n',
  ])('accepts %s', (statement) => {
    expect(() => checkReadOnlySelect(statement, SCOPE, LIMITS)).not.toThrow();
  });

  it.each([
    // Unbounded by the query's range, InfluxDB would read (and hold for its answer) the measurement's whole history.
    ['¦SELECT x FROM cpu', /a SELECT needs WHERE \$timeFilter .* so that it reads only the query's range/],
    ["¦SELECT x FROM cpu WHERE host = 'a' OR $timeFilter", /a SELECT needs WHERE \$timeFilter/],
    ['¦SELECT x FROM (SELECT x FROM cpu WHERE $timeFilter)', /a SELECT needs WHERE \$timeFilter/],
    ['¦SELECT x FROM cpu WHERE time > now() - 100000d', /a SELECT needs WHERE \$timeFilter/],
    ['SELECT x FROM cpu¦; DROP DATABASE "telemetry"', /only one statement/],
    ['SELECT x FROM cpu¦;', /only one statement/],
    ['¦DROP DATABASE "telemetry"', /only a SELECT statement/],
    ["¦CREATE USER evil WITH PASSWORD 'x' WITH ALL PRIVILEGES", /only a SELECT statement/],
    ['¦GRANT ALL PRIVILEGES TO proxy', /only a SELECT statement/],
    ['¦SHOW DATABASES', /only a SELECT statement/],
    ['SELECT * ¦INTO "copy" FROM cpu', /INTO writes/],
    ['SELECT * FROM (SELECT * ¦INTO x FROM cpu)', /INTO writes/],
    ['SELECT * FROM ¦"_internal"."monitor"."shard"', /database "_internal" is not the configured one/],
    ['SELECT * FROM ¦other..cpu', /database "other"/],
    ['SELECT * FROM telemetry.¦secret.cpu', /retention policy "secret" is not allowed/],
    ['SELECT * FROM (SELECT * FROM ¦_internal..runtime)', /database "_internal"/],
    ['SELECT * FROM cpu -- hidden\n¦; DROP DATABASE telemetry', /only one statement/],
    // InfluxDB reads a lone CR as a newline (influxql's scanner.go, reader.read): it ends the comment there too.
    ['SELECT * FROM cpu -- hidden\r¦; DROP DATABASE telemetry', /only one statement/],
    ['SELECT * FROM cpu -- hidden\r\n¦; DROP DATABASE telemetry', /only one statement/],
    ['SELECT * --\r ¦INTO x FROM cpu', /INTO writes/],
    ["SELECT * FROM cpu WHERE host = ¦'a\r'", /unterminated string/],
    ['SELECT * FROM cpu WHERE host =~ ¦/a\rb/', /unterminated regex/],
    ['SELECT * FROM ¦"a\rb"', /unterminated quoted identifier/],
    ['SELECT * FROM cpu /* */¦; DROP DATABASE telemetry', /only one statement/],
    ['SELECT * FROM cpu ¦/* ; DROP DATABASE telemetry', /unterminated comment/],
    ['SELECT * FROM ¦“_internal”.“monitor”.“shard”', /unexpected character "“" \(U\+201C\)/],
    ['SELECT * FROM cpu¦；DROP DATABASE telemetry', /U\+FF1B/],
    ['SELECT * FROM cpu WHERE host = ¦$host', /unknown macro \$host/],
    ["SELECT * FROM cpu WHERE host = ¦'a\n'", /unterminated string/],
    ['¦EXPLAIN ANALYZE SELECT * FROM cpu', /only a SELECT statement/],
    ['SELECT * FROM cpu WHERE time > now() - 1h ¦INTO x', /unexpected INTO/],
    ['SELECT * FROM a.b.c.¦d', /at most three parts/],
    ['SELECT ¦FROM cpu', /expected a value, got FROM/],
    ['SELECT¦\u00a0x FROM cpu', /unexpected character "\u00a0" \(U\+00A0\)/],
    ['SELECT x FROM cpu¦\u2028', /U\+2028/],
    ['SELECT x¦\f FROM cpu', /U\+000C/],
    // InfluxDB's scanner ends its input, and so a `--` comment, at U+0000 (an attack review: the `;` after it began a
    // CREATE USER that ran). No control character passes, in a comment, a string or a regex either.
    ["SELECT x FROM cpu WHERE $timeFilter -- ¦\u0000; CREATE USER u WITH PASSWORD 'p' WITH ALL PRIVILEGES", /U\+0000/],
    ['SELECT x FROM cpu WHERE $timeFilter /* ¦\u0000 */', /U\+0000/],
    ["SELECT x FROM cpu WHERE host = 'a¦\u0000' AND $timeFilter", /U\+0000/],
    ['SELECT x FROM cpu WHERE host =~ /a¦\u001b/ AND $timeFilter', /U\+001B/],
    ['SELECT x FROM cpu WHERE $timeFilter -- ¦\u007f', /U\+007F/],
    [
      'SELECT mean(x) FROM cpu WHERE time > 0 GROUP BY ¦time(1ns) fill(0)',
      /GROUP BY time\(\.\.\.\) needs WHERE \$timeFilter/,
    ],
    ['SELECT mean(x) FROM cpu GROUP BY host, ¦time(1m)', /needs WHERE \$timeFilter/],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter OR time > 0 GROUP BY ¦time($interval)', /needs WHERE \$timeFilter/],
    ['SELECT mean(x) FROM cpu WHERE ($timeFilter) OR x > 0 GROUP BY ¦time($interval)', /needs WHERE \$timeFilter/],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter + 1 GROUP BY ¦time($interval)', /needs WHERE \$timeFilter/],
    [
      'SELECT mean(m) FROM (SELECT mean(x) AS m FROM cpu GROUP BY ¦time(1ns)) WHERE $timeFilter GROUP BY time($interval)',
      /needs WHERE \$timeFilter/,
    ],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(¦$__interval_ms)', /expected a duration, \$interval/],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(¦now())', /expected a duration/],
  ])('refuses %j at the marked character', (marked, reason) => {
    const { offset, reason: actual } = refusal(marked);
    expect(actual).toMatch(reason);
    expect(offset).toBe(marked.indexOf('¦'));
  });

  it('refuses a GROUP BY time(<duration>) that makes more buckets over the range than the budget, at its position', () => {
    const statement = (interval: string) =>
      `SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(${interval}), host`;
    const DAY_MS = 86_400_000;
    const budget = (rangeMs: number) => ({ ...LIMITS, rangeMs });
    for (const [interval, rangeMs, buckets] of [
      ['1ns', 1, 1_000_001],
      ['1ms', DAY_MS, 86_400_001],
      ['1s', 2 * DAY_MS, 172_801],
      ['1m', 90 * DAY_MS, 129_601],
    ] as const) {
      const { reason, offset } = refusal(statement(interval), budget(rangeMs));
      expect(reason).toBe(
        `GROUP BY time(${interval}) over the query's range of ${rangeMs} ms makes ${buckets} buckets per series; ` +
          'at most 111000 (the point limits): use $interval, or a longer duration'
      );
      expect(offset).toBe(statement(interval).indexOf(interval));
    }
    // A fixed interval finer than the step a zoomed-out dashboard asks for is fine while the range holds few
    // enough of them (the step does not matter, the buckets do).
    for (const [interval, rangeMs] of [
      ['1m', 7 * DAY_MS],
      ['1s', DAY_MS],
      ['10ms', 1_000_000],
      ['1w', 3650 * DAY_MS],
      ['$interval', DAY_MS],
      ['$__interval', DAY_MS],
    ] as const) {
      expect(() => checkReadOnlySelect(statement(interval), SCOPE, budget(rangeMs))).not.toThrow();
    }
  });

  it('refuses nesting deeper than MAX_NESTING with an InfluxqlError, not a stack overflow', () => {
    for (const statement of [
      `SELECT x FROM cpu WHERE ${'('.repeat(20_000)}a${')'.repeat(20_000)}`,
      `SELECT x FROM cpu WHERE a = ${'-('.repeat(5_000)}1${')'.repeat(5_000)}`,
      `SELECT x FROM ${'(SELECT x FROM '.repeat(2_000)}cpu${')'.repeat(2_000)}`,
      `SELECT ${'f('.repeat(5_000)}x${')'.repeat(5_000)} FROM cpu`,
    ]) {
      const { reason } = refusal(statement);
      expect(reason).toBe(`nested more than ${MAX_NESTING} levels deep`);
    }
    const nested = `SELECT x FROM cpu WHERE $timeFilter AND ${'('.repeat(MAX_NESTING - 2)}a${')'.repeat(MAX_NESTING - 2)}`;
    expect(() => checkReadOnlySelect(nested, SCOPE, LIMITS)).not.toThrow();
  });

  it('refuses more than MAX_SOURCES measurements in a statement, FROM lists and subqueries in all, pointing at the first too many', () => {
    // A review: FROM 800 times one measurement took InfluxDB 1.6 to 5 GB; 200 times /./ 18.6 s against 0.075 s.
    const from = (sources: string[]) => `SELECT mean(x) FROM ${sources.join(', ')} WHERE $timeFilter`;
    const names = Array.from({ length: MAX_SOURCES }, () => 'cpu');
    expect(() => checkReadOnlySelect(from(names), SCOPE, LIMITS)).not.toThrow();
    const reason = `more than ${MAX_SOURCES} measurements in the statement (its FROM lists and subqueries in all): each one multiplies InfluxDB's work`;
    expect(refusal(`${from(names).replace(' WHERE', ', ¦cpu WHERE')}`)).toEqual({
      offset: expect.any(Number),
      reason,
    });
    expect(refusal(from([...Array.from({ length: MAX_SOURCES }, () => '/./'), '¦/./'])).reason).toBe(reason);
    // Subqueries' measurements count too.
    const sub = '(SELECT x FROM cpu)';
    expect(refusal(from([...Array.from({ length: MAX_SOURCES }, () => sub), '(SELECT x FROM ¦cpu)'])).reason).toBe(
      reason
    );
  });

  it('refuses more than MAX_VALUES values in a statement (InfluxDB works for seconds on a long flat chain)', () => {
    // x, $timeFilter, then two values per term.
    const chain = (terms: number) => `SELECT x FROM cpu WHERE $timeFilter${" AND host = 'a'".repeat(terms)}`;
    expect(() => checkReadOnlySelect(chain((MAX_VALUES - 2) / 2), SCOPE, LIMITS)).not.toThrow();
    expect(refusal(chain((MAX_VALUES - 2) / 2 + 1)).reason).toBe(
      `more than ${MAX_VALUES} values in the statement (fields, literals and calls in all)`
    );
    // The review's 2 000-term sum kept InfluxDB 1.6 busy for 80 s after the proxy gave up; a long chain does not
    // recurse either.
    for (const statement of [
      `SELECT usage${'+usage'.repeat(1_999)} FROM cpu WHERE $timeFilter`,
      `SELECT x FROM cpu WHERE $timeFilter${" AND host = 'a' OR x > 1".repeat(20_000)}`,
    ]) {
      expect(refusal(statement).reason).toMatch(/^more than \d+ values in the statement/);
    }
  });

  it.each([
    ['SELECT top(x, ¦100000000) FROM cpu', 'top() argument 2: 100000000 is more than the point limits allows (111000)'],
    [
      'SELECT bottom(x, host, ¦111001) FROM cpu',
      'bottom() argument 3: 111001 is more than the point limits allows (111000)',
    ],
    ['SELECT TOP(x, ¦999999999999999999999) FROM cpu', /^top\(\) argument 2: 1e\+21 is more than/],
    ['SELECT sample(x, ¦5000000) FROM cpu', /^sample\(\) argument 2: 5000000 is more/],
    [
      'SELECT moving_average(mean(x), ¦200000) FROM cpu WHERE $timeFilter GROUP BY time(1m)',
      /^moving_average\(\) argument 2/,
    ],
    [
      'SELECT holt_winters(mean(x), ¦1000000, 4) FROM cpu WHERE $timeFilter GROUP BY time(1m)',
      /^holt_winters\(\) argument 2/,
    ],
    [
      'SELECT holt_winters_with_fit(mean(x), 10, ¦1000000) FROM cpu WHERE $timeFilter GROUP BY time(1m)',
      /^holt_winters_with_fit\(\) argument 3/,
    ],
    [
      'SELECT exponential_moving_average(x, 10, -¦1000000) FROM cpu',
      /^exponential_moving_average\(\) argument 3: -1000000 is more/,
    ],
    ['SELECT top(x, ¦$__interval_ms) FROM cpu', 'expected an integer as argument 2 of top()'],
    ['SELECT top(x, ¦(5)) FROM cpu', 'expected an integer as argument 2 of top()'],
    ['SELECT sample(x, ¦1000 * 1000) FROM cpu', 'expected an integer as argument 2 of sample()'],
    ['SELECT sample(x, ¦1.5) FROM cpu', 'expected an integer as argument 2 of sample()'],
    ['SELECT mean(m) FROM (SELECT top(x, ¦200000) AS m FROM cpu)', /^top\(\) argument 2: 200000/],
    ['SELECT x FROM cpu LIMIT ¦111001', 'LIMIT 111001 is more than the point limits allows (111000)'],
    ['SELECT x FROM cpu OFFSET ¦99999999999999999999', /^OFFSET 99999999999999999999 is more than the point limits/],
    ['SELECT x FROM cpu SLIMIT ¦501', 'SLIMIT 501 is more than the series limit allows (500)'],
    ['SELECT x FROM cpu SOFFSET ¦100000', /^SOFFSET 100000 is more than the series limit/],
    [
      'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m) fill(¦$__interval_ms)',
      /expected null, none, previous, linear or a number in fill/,
    ],
    [
      'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m) fill(¦x + 1)',
      /expected null, none, previous, linear or a number/,
    ],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m) fill(1 ¦+ 1)', /expected "\)"/],
    [
      'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(¦0s)',
      'GROUP BY time(0s): the interval must be positive',
    ],
    [
      'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(¦99999999999999w)',
      /duration 99999999999999w is longer than InfluxDB's durations/,
    ],
    [
      'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m, ¦99999999999999w)',
      /duration 99999999999999w is longer/,
    ],
    ['SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m, ¦x)', /expected a duration or now\(\) as the offset/],
    ['SELECT x FROM cpu WHERE time > now() - ¦9999999999999999d', /duration 9999999999999999d is longer/],
  ])("bounds counts that multiply InfluxDB's work: %s", (marked, reason) => {
    const { offset, reason: actual } = refusal(marked);
    expect(actual).toEqual(typeof reason === 'string' ? reason : expect.stringMatching(reason));
    expect(offset).toBe(marked.indexOf('¦'));
  });

  it.each([
    ['SELECT¦"usage" FROM cpu', 'write a space between SELECT and the quoted identifier after it'],
    ['SELECT count(DISTINCT¦"usage") FROM cpu', 'write a space between DISTINCT and the quoted identifier after it'],
    ['SELECT x FROM cpu WHERE host¦"a" = 1', 'write a space between host and the quoted identifier after it'],
  ])('refuses a word joined to a quoted identifier, which InfluxDB reads as one: %s', (marked, reason) => {
    expect(refusal(marked)).toEqual({ offset: marked.indexOf('¦'), reason });
  });

  it('accepts quoted identifiers after a space, a dot or an operator', () => {
    for (const statement of [
      'SELECT "usage" FROM "cpu" WHERE $timeFilter',
      'SELECT x FROM "telemetry"."autogen"."cpu" WHERE $timeFilter',
      'SELECT a+"b" FROM cpu WHERE $timeFilter',
    ]) {
      expect(() => checkReadOnlySelect(statement, SCOPE, LIMITS)).not.toThrow();
    }
  });

  it.each([
    'SELECT top(x, 10), host FROM cpu WHERE $timeFilter',
    'SELECT top(x, host, 111000) FROM cpu WHERE $timeFilter',
    'SELECT sample(x, 100) FROM cpu WHERE $timeFilter',
    'SELECT moving_average(mean(x), 12) FROM cpu WHERE $timeFilter GROUP BY time($interval) fill(previous)',
    'SELECT exponential_moving_average(x, 10, -1) FROM cpu WHERE $timeFilter',
    'SELECT holt_winters(mean(x), 10, 4) FROM cpu WHERE $timeFilter GROUP BY time(1m, -30s) fill(-1.5)',
    'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1m, now()) fill(linear)',
    'SELECT mean(x) FROM cpu WHERE $timeFilter GROUP BY time(1h) fill(0) LIMIT 111000 OFFSET 10 SLIMIT 500 SOFFSET 0',
    'SELECT percentile(x, 99.9), pow(x, 1000000) FROM cpu WHERE $timeFilter',
  ])('accepts counts within the limits: %s', (statement) => {
    expect(() => checkReadOnlySelect(statement, SCOPE, LIMITS)).not.toThrow();
  });
});
