/**
 * InfluxQL statements that write, administer, chain statements or read outside the configured database, hidden in
 * every way the statement's text allows. Each must be refused before InfluxDB is contacted.
 */
import { queryRangeOver } from './anomalyRequest';
import { HostileCase } from './types';

/** Refused as the request arrives, pointing into the query (`at: 'fetch'`: where the range is known, before the fetch). */
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
  refused(
    'newline in a string',
    "SELECT * FROM telemetry WHERE host = 'a\n'; DROP DATABASE telemetry",
    /unterminated string/
  ),
];
