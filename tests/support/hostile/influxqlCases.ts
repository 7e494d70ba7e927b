/**
 * InfluxQL statements that write, administer, chain statements or read outside the configured database, hidden in
 * every way the statement's text allows. Each must be refused before InfluxDB is contacted.
 */
import { queryRangeOver } from './anomalyRequest';
import { HostileCase } from './types';

/** Refused as the request arrives, pointing into the query (`at: 'fetch'`: where the range is known, before the fetch). */
const TOO_MANY_SOURCES = /more than 8 measurements in the statement \(its FROM lists and subqueries in all\)/;

function refused(name: string, statement: string, reason: RegExp, at: 'request' | 'fetch' = 'request'): HostileCase {
  const query = `anomaly_flag(influxql(${JSON.stringify(statement)}), upstream="influx", train="1d")`;
  const prefix =
    at === 'request' ? 'parse error at char \\d+: influxql: ' : 'upstream "influx": InfluxQL at char \\d+: ';
  return {
    class: 'influxql',
    name: `${name}: ${statement.length > 200 ? `${statement.slice(0, 200)}…` : statement}`,
    send: (target) => queryRangeOver(target, query),
    status: 400,
    errorType: 'bad_data',
    error: new RegExp(`^${prefix}${reason.source}`),
  };
}

const SELECT = 'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host';
const ONE_STATEMENT = /only one statement/;
const NOT_SELECT = /only a SELECT statement/;
const UNBOUNDED_BUCKETS = /GROUP BY time\(\.\.\.\) needs WHERE \$timeFilter/;
const GROUPED = 'WHERE $timeFilter GROUP BY time($interval)';
/** A SELECT of `field` from the dataset's measurement, within $timeFilter (or `tail`). */
const fn = (field: string, tail = 'WHERE $timeFilter') => `SELECT ${field} FROM telemetry ${tail}`;
const POINTS = 'limits\\.maxTrainingPointsPerSeries \\+ limits\\.maxPointsPerSeries allows \\(111000\\)';
const ARGUMENT = (name: string, position: number, value: number) =>
  new RegExp(`${name}\\(\\) argument ${position}: ${value} is more than ${POINTS}`);
const POINT_LIMIT = (clause: string) => new RegExp(`${clause} is more than ${POINTS}`);

export const INFLUXQL_CASES: HostileCase[] = [
  refused('chained DROP', `${SELECT}; DROP DATABASE "telemetry"`, ONE_STATEMENT),
  refused('chained DROP, lower case', `${SELECT}; drop database telemetry`, ONE_STATEMENT),
  refused('trailing semicolon', `${SELECT};`, ONE_STATEMENT),
  refused('chained read of _internal', `${SELECT}; SELECT * FROM "_internal".."shard"`, ONE_STATEMENT),
  refused('DROP DATABASE', 'DROP DATABASE "telemetry"', NOT_SELECT),
  refused('CREATE USER', "CREATE USER evil WITH PASSWORD 'x' WITH ALL PRIVILEGES", NOT_SELECT),
  refused('GRANT admin', 'GRANT ALL PRIVILEGES TO "proxy_reader"', NOT_SELECT),
  refused('GRANT on the database', 'GRANT ALL ON "telemetry" TO "proxy_reader"', NOT_SELECT),
  refused('REVOKE', 'REVOKE ALL PRIVILEGES FROM "admin"', NOT_SELECT),
  refused('SET PASSWORD', 'SET PASSWORD FOR "admin" = \'x\'', NOT_SELECT),
  refused('CREATE DATABASE', 'CREATE DATABASE "evil"', NOT_SELECT),
  refused('DELETE', 'DELETE FROM telemetry', NOT_SELECT),
  refused('DROP MEASUREMENT', 'DROP MEASUREMENT telemetry', NOT_SELECT),
  refused('ALTER RETENTION POLICY', 'ALTER RETENTION POLICY autogen ON telemetry DURATION 1h', NOT_SELECT),
  refused('KILL QUERY', 'KILL QUERY 1', NOT_SELECT),
  refused(
    'CREATE CONTINUOUS QUERY',
    'CREATE CONTINUOUS QUERY cq ON telemetry BEGIN SELECT mean(x) INTO y FROM z GROUP BY time(1m) END',
    NOT_SELECT
  ),
  refused('SHOW DATABASES', 'SHOW DATABASES', NOT_SELECT),
  refused('SHOW USERS', 'SHOW USERS', NOT_SELECT),
  refused('EXPLAIN ANALYZE', `EXPLAIN ANALYZE ${SELECT}`, NOT_SELECT),
  refused(
    'SELECT INTO',
    'SELECT * INTO "telemetry"."autogen"."copy" FROM telemetry WHERE $timeFilter GROUP BY *',
    /SELECT \.\.\. INTO/
  ),
  refused('SELECT INTO another database', 'SELECT * INTO other..copy FROM telemetry', /SELECT \.\.\. INTO/),
  refused('INTO in a subquery', 'SELECT mean(x) FROM (SELECT * INTO copy FROM telemetry)', /SELECT \.\.\. INTO/),
  refused('INTO after FROM', `${SELECT} INTO copy`, /unexpected INTO/),
  refused('another database', 'SELECT * FROM "_internal"."monitor"."shard" WHERE $timeFilter', /database "_internal"/),
  refused('another database, default policy', 'SELECT * FROM other..cpu WHERE $timeFilter', /database "other"/),
  refused('another database, regex', 'SELECT * FROM other../.*/ WHERE $timeFilter', /database "other"/),
  refused(
    'retention policy not allowed',
    'SELECT * FROM "telemetry"."secret"."telemetry"',
    /retention policy "secret"/
  ),
  refused(
    'another database in a subquery',
    'SELECT mean(m) FROM (SELECT * FROM "_internal".."runtime")',
    /database "_internal"/
  ),
  refused('DROP after a line comment', `${SELECT} -- hidden\n; DROP DATABASE telemetry`, ONE_STATEMENT),
  refused('DROP after a block comment', `${SELECT} /* hidden */; DROP DATABASE telemetry`, ONE_STATEMENT),
  // InfluxDB's reader reads a lone CR as a newline: it ends a `--` comment there (an attack review, 2026-12-05: these
  // reached InfluxDB, and with an admin user CREATE DATABASE ran).
  refused('DROP after a line comment ended by CR', `${SELECT} --\r; DROP DATABASE telemetry`, ONE_STATEMENT),
  refused(
    'CREATE DATABASE after a line comment ended by CR LF',
    `${SELECT} --\r\n; CREATE DATABASE pwned`,
    ONE_STATEMENT
  ),
  refused(
    'INTO after a line comment ended by CR',
    'SELECT mean(cpu_usage_percent) --\r INTO "other"."autogen"."copied"\n FROM telemetry WHERE $timeFilter',
    /SELECT \.\.\. INTO writes/
  ),
  refused(
    '$timeFilter widened after a line comment ended by CR',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter --\r OR time > 0\n GROUP BY time(1h) fill(0)',
    UNBOUNDED_BUCKETS
  ),
  refused('a CR inside a string', "SELECT * FROM telemetry WHERE host = 'a\r' AND $timeFilter", /unterminated string/),
  refused('DROP in an unterminated comment', `${SELECT} /* ; DROP DATABASE telemetry`, /unterminated comment/),
  refused('unicode double quotes', 'SELECT * FROM “_internal”.“monitor”.“shard”', /unexpected character "“"/),
  refused('unicode single quotes', 'SELECT * FROM telemetry WHERE host = ‘a’', /unexpected character "‘"/),
  refused('full-width semicolon', `${SELECT}；DROP DATABASE telemetry`, /unexpected character "；"/),
  refused('bound parameter', 'SELECT * FROM telemetry WHERE host = $host', /unknown macro \$host/),
  // Bounded work: InfluxDB computes every GROUP BY time() bucket of the statement's range (with fill() it sends them
  // too); `time(1ns)` since 1970 took InfluxDB 1.6 to 19 GB of memory and on computing after the proxy gave up.
  refused(
    'GROUP BY time(1ns) since 1970',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE time > 0 GROUP BY time(1ns) fill(0)',
    UNBOUNDED_BUCKETS
  ),
  refused(
    '$timeFilter OR all time',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter OR time > 0 GROUP BY time(1h) fill(0)',
    UNBOUNDED_BUCKETS
  ),
  // Without $timeFilter InfluxDB reads, and holds for its one answer, the measurement's whole history (an attack
  // review, 2026-12-04): every statement must be bounded by the query's range.
  refused('a raw SELECT of all history', 'SELECT * FROM telemetry', /a SELECT needs WHERE \$timeFilter/),
  refused(
    'a raw SELECT bounded by a range of its own only',
    'SELECT * FROM telemetry WHERE time > now() - 100000d',
    /a SELECT needs WHERE \$timeFilter/
  ),
  refused(
    '$timeFilter in the subquery only',
    'SELECT * FROM (SELECT * FROM telemetry WHERE $timeFilter)',
    /a SELECT needs WHERE \$timeFilter/
  ),
  refused(
    'GROUP BY time() without WHERE',
    'SELECT mean(cpu_usage_percent) FROM telemetry GROUP BY time(1m) fill(0)',
    UNBOUNDED_BUCKETS
  ),
  refused(
    'unbounded buckets in a subquery',
    'SELECT mean(m) FROM (SELECT mean(cpu_usage_percent) AS m FROM telemetry GROUP BY time(1ns) fill(0)) WHERE $timeFilter GROUP BY time($interval)',
    UNBOUNDED_BUCKETS
  ),
  refused(
    'GROUP BY time(1ms) within $timeFilter (86 million buckets a day)',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time(1ms) fill(0)',
    /GROUP BY time\(1ms\) over the query's range of \d+ ms makes \d+ buckets per series; at most 111000 \(limits\.maxTrainingPointsPerSeries \+ limits\.maxPointsPerSeries\)/,
    'fetch'
  ),
  refused(
    'nested 8000 parentheses deep (a stack overflow, 500, before)',
    `SELECT x FROM telemetry WHERE ${'('.repeat(8000)}x${')'.repeat(8000)}`,
    /nested more than 100 levels deep/
  ),
  refused(
    'SELECT"field" (InfluxDB 1.6 reads the word and the quoted name as one)',
    'SELECT"cpu_usage_percent" FROM telemetry WHERE $timeFilter',
    /write a space between SELECT and the quoted identifier after it/
  ),
  // Each measurement read multiplies InfluxDB's work: FROM 800 times one took InfluxDB 1.6 from 90 MB to 5 GB.
  refused(
    'FROM the same measurement 800 times',
    `SELECT mean(cpu_usage_percent) FROM ${Array(800).fill('telemetry').join(',')} WHERE $timeFilter GROUP BY time($interval)`,
    TOO_MANY_SOURCES
  ),
  refused('FROM /./ 9 times', `SELECT * FROM ${Array(9).fill('/./').join(', ')} WHERE $timeFilter`, TOO_MANY_SOURCES),
  refused(
    'FROM 9 subqueries',
    `SELECT * FROM ${Array(9).fill('(SELECT * FROM telemetry)').join(', ')} WHERE $timeFilter`,
    TOO_MANY_SOURCES
  ),
  refused(
    'a flat sum of 2 000 fields (InfluxDB 1.6 worked 80 s on it after the proxy gave up)',
    `SELECT usage${'+usage'.repeat(1999)} FROM telemetry WHERE $timeFilter`,
    /more than 256 values in the statement \(fields, literals and calls in all\)/
  ),
  refused(
    'no-break space (InfluxDB refuses what the proxy read as a space)',
    'SELECT\u00a0mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval)',
    /unexpected character "\u00a0" \(U\+00A0\)/
  ),
  refused('SHOW MEASUREMENTS', 'SHOW MEASUREMENTS ON "other"', NOT_SELECT),
  refused('SHOW GRANTS', 'SHOW GRANTS FOR "proxy_reader"', NOT_SELECT),
  refused('second source in another database', 'SELECT * FROM telemetry, other..telemetry', /database "other"/),
  refused('database in another case', 'SELECT * FROM "Telemetry"..telemetry', /database "Telemetry"/),
  refused(
    'retention policy in another case',
    'SELECT * FROM telemetry."AUTOGEN".telemetry',
    /retention policy "AUTOGEN"/
  ),
  refused('regex measurement of another database', 'SELECT * FROM other.autogen./.*/', /database "other"/),
  refused('backtick-quoted database', 'SELECT * FROM `_internal`..shard', /unexpected character "`"/),
  refused(
    'INTO two subqueries deep',
    'SELECT * FROM (SELECT * FROM (SELECT * INTO x FROM telemetry))',
    /SELECT \.\.\. INTO/
  ),
  // Numbers that multiply InfluxDB's work or output, bounded by the limits on points and series the proxy reads
  // (top(x, 100000000) kept InfluxDB 1.6 busy for 33 s).
  refused('top N beyond the point limits', fn('top(cpu_usage_percent, 100000000)'), ARGUMENT('top', 2, 100000000)),
  refused('bottom N after tags', fn('bottom(cpu_usage_percent, host, 5000000)'), ARGUMENT('bottom', 3, 5000000)),
  refused('TOP in upper case', fn('TOP(cpu_usage_percent, 99999999999)'), ARGUMENT('top', 2, 99999999999)),
  refused('sample N', fn('sample(cpu_usage_percent, 2000000)'), ARGUMENT('sample', 2, 2000000)),
  refused(
    'moving_average window',
    fn('moving_average(mean(cpu_usage_percent), 10000000)', GROUPED),
    ARGUMENT('moving_average', 2, 10000000)
  ),
  refused(
    'holt_winters predictions',
    fn('holt_winters(mean(cpu_usage_percent), 100000000, 4)', GROUPED),
    ARGUMENT('holt_winters', 2, 100000000)
  ),
  refused(
    'holt_winters_with_fit season',
    fn('holt_winters_with_fit(mean(cpu_usage_percent), 10, 50000000)', GROUPED),
    ARGUMENT('holt_winters_with_fit', 3, 50000000)
  ),
  refused(
    'exponential_moving_average hold period',
    fn('exponential_moving_average(cpu_usage_percent, 10, -9000000)'),
    ARGUMENT('exponential_moving_average', 3, -9000000)
  ),
  refused(
    'top N inside a subquery',
    'SELECT mean(t) FROM (SELECT top(cpu_usage_percent, 100000000) AS t FROM telemetry WHERE $timeFilter) WHERE $timeFilter',
    ARGUMENT('top', 2, 100000000)
  ),
  refused(
    'top N from $__interval_ms (the step in ms, any size)',
    fn('top(cpu_usage_percent, $__interval_ms)'),
    /expected an integer as argument 2 of top\(\)/
  ),
  refused(
    'top N as an expression',
    fn('top(cpu_usage_percent, 10000 * 10000)'),
    /expected an integer as argument 2 of top\(\)/
  ),
  refused('LIMIT beyond the point limits', `${SELECT} LIMIT 100000000`, POINT_LIMIT('LIMIT 100000000')),
  refused('OFFSET beyond int64', `${SELECT} OFFSET 99999999999999999999`, POINT_LIMIT('OFFSET 99999999999999999999')),
  refused(
    'SLIMIT beyond maxSeriesPerQuery',
    `${SELECT} SLIMIT 100000`,
    /SLIMIT 100000 is more than limits\.maxSeriesPerQuery allows \(4\)/
  ),
  refused(
    'SOFFSET beyond maxSeriesPerQuery',
    `${SELECT} SOFFSET 5`,
    /SOFFSET 5 is more than limits\.maxSeriesPerQuery/
  ),
  refused(
    'fill($__interval_ms)',
    `${SELECT} fill($__interval_ms)`,
    /expected null, none, previous, linear or a number in fill\(\.\.\.\), got "\$__interval_ms"/
  ),
  refused(
    'fill() with an expression',
    `${SELECT} fill(cpu_usage_percent)`,
    /expected null, none, previous, linear or a number in fill/
  ),
  refused(
    'GROUP BY time(0s)',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time(0s)',
    /GROUP BY time\(0s\): the interval must be positive/
  ),
  refused(
    'GROUP BY time() beyond int64 nanoseconds',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time(99999999999999w)',
    /duration 99999999999999w is longer than InfluxDB's durations/
  ),
  refused(
    'GROUP BY time() offset that is not a duration',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time(1m, cpu_usage_percent)',
    /expected a duration or now\(\) as the offset of GROUP BY time/
  ),
  refused(
    'duration beyond int64 nanoseconds in WHERE',
    'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter AND time > now() - 9999999999999999d',
    /duration 9999999999999999d is longer than InfluxDB's durations/
  ),
  refused(
    'newline in a string',
    "SELECT * FROM telemetry WHERE host = 'a\n'; DROP DATABASE telemetry",
    /unterminated string/
  ),
  {
    // Two columns whose names differ only where the series name replaces characters by "_" (a review's attack):
    // one series twice, which Prometheus never answers, and each scored by the other's model.
    class: 'influxql',
    name: 'two columns that become the same series (AS "x.y" and AS "x_y")',
    send: (target) =>
      queryRangeOver(
        target,
        `anomaly_flag(influxql(${JSON.stringify(
          `SELECT mean(cpu_usage_percent) AS "x.y", max(cpu_usage_percent) * 100 AS "x_y" FROM telemetry ${GROUPED}`
        )}), upstream="influx", train="1d")`
      ),
    status: 422,
    errorType: 'execution',
    error:
      /^upstream "influx": column "x\.y" of "telemetry" and column "x_y" of "telemetry" both become the series \{__name__="telemetry_x_y"\}/,
    mayAskUpstream: true,
  },
];
