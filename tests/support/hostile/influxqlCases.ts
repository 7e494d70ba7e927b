/**
 * InfluxQL statements that write, administer, chain statements or read outside the configured database, hidden in
 * every way the statement's text allows. Each must be refused before InfluxDB is contacted.
 */
import { queryRangeOver } from './anomalyRequest';
import { HostileCase } from './types';

function refused(name: string, statement: string, reason: RegExp): HostileCase {
  const query = `anomaly_flag(influxql(${JSON.stringify(statement)}), upstream="influx", train="1d")`;
  return {
    class: 'influxql',
    name: `${name}: ${statement}`,
    send: (target) => queryRangeOver(target, query),
    status: 400,
    errorType: 'bad_data',
    error: new RegExp(`^parse error at char \\d+: influxql: ${reason.source}`),
  };
}

const SELECT = 'SELECT mean(cpu_usage_percent) FROM telemetry WHERE $timeFilter GROUP BY time($interval), host';
const ONE_STATEMENT = /only one statement/;
const NOT_SELECT = /only a SELECT statement/;

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
  refused(
    'newline in a string',
    "SELECT * FROM telemetry WHERE host = 'a\n'; DROP DATABASE telemetry",
    /unterminated string/
  ),
];
