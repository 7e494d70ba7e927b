// Property-based tests of the InfluxQL gate (fast-check): it throws nothing but InfluxqlError (pointing inside the
// statement), accepts the read-only SELECTs Grafana writes however they are spelled, and whatever it accepts is one
// SELECT without INTO of the configured database: a statement chained after it is always refused.
import fc from 'fast-check';
import { mutated } from './support/mutated';
import { tokenizeInfluxql } from '../src/upstreams/influxql/influxqlLexer';
import { InfluxqlError, checkReadOnlySelect } from '../src/upstreams/influxql/readOnlySelect';

const SCOPE = { database: 'telemetry', retentionPolicies: ['autogen'] };
const LIMITS = { points: { max: 111_000, source: 'points' }, series: { max: 500, source: 'series' } };

/** Spaces, newlines or comments between tokens. */
const gap = fc.constantFrom(' ', '  ', '\n', ' /* c */ ', ' -- c\n', '\t');
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((upper) => [...word].map((c, i) => (upper[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

const field = fc.constantFrom(
  'mean(cpu_usage_percent)',
  'max("value")',
  'count(DISTINCT host)',
  '*',
  'percentile(x, 95) AS p',
  'top(x, host, 10)',
  'moving_average(mean(x), 12)'
);
const source = fc.constantFrom(
  'telemetry',
  '"telemetry"',
  'autogen.telemetry',
  '"telemetry"."autogen"."cpu"',
  'telemetry..cpu',
  '/^cpu/'
);
// Every statement is bounded by the query's range: $timeFilter AND-ed with what else it asks.
const condition = fc.constantFrom(
  '$timeFilter',
  "host = 'a' AND $timeFilter",
  '$timeFilter AND time > now() - 1h',
  'host =~ /web/ AND $timeFilter'
);
const groupBy = fc.constantFrom('time($interval)', 'time($__interval), host', '*', 'time(1m) fill(null)');

/** A read-only SELECT of the configured database as Grafana's InfluxDB editor would write it. */
const select = fc
  .tuple(anyCase('select'), field, anyCase('from'), source, condition, fc.option(groupBy), gap, gap)
  .map(([sel, f, from, src, where, group, g1, g2]) =>
    [`${sel}${g1}${f}${g2}${from} ${src}`, ` WHERE ${where}`, group ? ` GROUP BY ${group}` : ''].join('')
  );

const hostile = fc.oneof(
  fc.string({ maxLength: 200, unit: 'binary' }),
  fc.string({ maxLength: 120, unit: fc.constantFrom(...'SELECT INTO FROM DROP ;"\'/*-\n.$() ') }),
  mutated(select)
);

function accepted(statement: string): boolean {
  try {
    checkReadOnlySelect(statement, SCOPE, LIMITS);
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(InfluxqlError);
    expect((error as InfluxqlError).offset).toBeGreaterThanOrEqual(0);
    expect((error as InfluxqlError).offset).toBeLessThanOrEqual(statement.length);
    return false;
  }
}

describe('checkReadOnlySelect, fuzzed', () => {
  it('accepts read-only SELECTs of the configured database however they are spelled', () => {
    fc.assert(
      fc.property(select, (statement) => {
        expect(accepted(statement)).toBe(true);
      }),
      { numRuns: 1000 }
    );
  });

  it('throws only InfluxqlError; what it accepts is one SELECT without INTO, and nothing chained after it passes', () => {
    fc.assert(
      fc.property(hostile, (statement) => {
        if (!accepted(statement)) {
          return;
        }
        const tokens = tokenizeInfluxql(statement);
        expect(tokens[0]).toMatchObject({ type: 'keyword', text: 'SELECT' });
        expect(
          tokens.filter((t) => (t.type === 'operator' && t.text === ';') || (t.type === 'keyword' && t.text === 'INTO'))
        ).toEqual([]);
        // A comment or an open string at the end must not swallow or hide a chained statement.
        expect(accepted(`${statement}\n; DROP DATABASE "telemetry"`)).toBe(false);
      }),
      { numRuns: 3000 }
    );
  });
});
