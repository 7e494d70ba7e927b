import { InfluxqlError, checkReadOnlySelect } from '../src/upstreams/influxql/readOnlySelect';

const SCOPE = { database: 'telemetry', retentionPolicies: ['autogen', 'long'] };

/** `¦` marks the character the error must point at (removed before checking). */
function refusal(marked: string): { offset: number; reason: string } {
  const statement = marked.replace('¦', '');
  try {
    checkReadOnlySelect(statement, SCOPE);
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
    'select max(x::float) from long.cpu where host =~ /^web/ AND time > now() - 1h group by time(1m), * fill(none)',
    'SELECT count(DISTINCT host) FROM telemetry..cpu WHERE $timeFilter GROUP BY time(5m)',
    "SELECT percentile(x, 95) / 2 - 1 FROM /^cpu/ WHERE \"host\" = 'a\\'b' -- trailing comment",
    'SELECT mean(m) FROM (SELECT max(x) AS m FROM cpu WHERE $timeFilter GROUP BY time(1m), host) GROUP BY time($__interval_ms)',
    "SELECT * FROM cpu WHERE $timeFilter ORDER BY time DESC LIMIT 10 OFFSET 2 SLIMIT 1 SOFFSET 0 tz('Europe/Paris')",
    'SELECT /* a comment */ x FROM cpu WHERE time >= 1700000000000ms AND time <= 1700000060000ms',
  ])('accepts %s', (statement) => {
    expect(() => checkReadOnlySelect(statement, SCOPE)).not.toThrow();
  });

  it.each([
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
  ])('refuses %j at the marked character', (marked, reason) => {
    const { offset, reason: actual } = refusal(marked);
    expect(actual).toMatch(reason);
    expect(offset).toBe(marked.indexOf('¦'));
  });
});
