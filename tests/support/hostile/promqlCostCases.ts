/**
 * Anomaly queries whose wrapped PromQL would make Prometheus compute absurdly much (subqueries at a tiny resolution,
 * nested subqueries, absurd offsets, ranges and @ times): refused before Prometheus is asked, naming the char
 * position in the query and the limit (pkg/query/src/query/promqlCost.ts). `anomaly_flag(max_over_time(m[3d:1ms]))`
 * made Prometheus 2.42 allocate 207 GB and exit.
 */
import { instantQueryAt, queryRangeOver } from './anomalyRequest';
import { HostileCase } from './types';

const METRIC = 'cpu_usage_percent{job="telemetry"}';
const POINTS_LIMIT = 'limits\\.maxTrainingPointsPerSeries \\+ limits\\.maxPointsPerSeries';

/** The 1-based char position of the first `marker` in `query`, as the refusal names it. */
function charOf(query: string, marker: string): number {
  const index = query.indexOf(marker);
  if (index < 0) {
    throw new Error(`${marker} is not in ${query}`);
  }
  return index + 1;
}

function refusedQuery(
  name: string,
  query: string,
  error: (query: string) => RegExp,
  send: 'range' | 'instant' = 'range'
): HostileCase {
  return {
    class: 'promql',
    name,
    send: (target) => (send === 'range' ? queryRangeOver(target, query) : instantQueryAt(target, { query })),
    status: 400,
    errorType: 'bad_data',
    error: error(query),
  };
}

/** A subquery refused for the steps per series it holds, named by its text and position. */
const tooManySteps =
  (subquery: string, marker = subquery) =>
  (query: string) =>
    new RegExp(
      `^subquery ${subquery.replace(/[[\]]/g, '\\$&')} at char ${charOf(query, marker)} would have the upstream evaluate its expression at \\d+ steps per series .*at most 111000 \\(${POINTS_LIMIT}\\)`
    );
/** A subquery refused for the evaluations per series it makes (limits.maxSamplesPerQuery is 5000 here). */
const tooManyEvaluations = (subquery: string, at: number, how: string) =>
  new RegExp(
    `^subquery ${subquery.replace(/[[\]]/g, '\\$&')} at char ${at} would have the upstream evaluate \\d+ samples per series \\(${how}\\); at most 5000 \\(limits\\.maxSamplesPerQuery\\)`
  );
/** A plain query's subquery refused for the points it makes Prometheus hold (bound by limits.maxSamplesPerQuery). */
const tooManyPlainSteps = (subquery: string) => (query: string) =>
  new RegExp(
    `^subquery ${subquery.replace(/[[\]]/g, '\\$&')} at char ${charOf(query, subquery.slice(0, 3))} would have the upstream evaluate its expression at \\d+ steps per series .*at most 5000 \\(limits\\.maxSamplesPerQuery\\)`
  );
const beyondTimes = (what: string, marker: string) => (query: string) =>
  new RegExp(`^${what} at char ${charOf(query, marker)} is beyond the times the proxy supports`);

export const PROMQL_COST_CASES: HostileCase[] = [
  refusedQuery(
    "the colleague's max_over_time(m[3d:1ms]) (207 GB in Prometheus 2.42)",
    `anomaly_flag(max_over_time(${METRIC}[3d:1ms]))`,
    tooManySteps('[3d:1ms]')
  ),
  refusedQuery(
    'the same as an instant query (vmalert, Grafana alerting)',
    `anomaly_flag(max_over_time(${METRIC}[3d:1ms])) > 0`,
    tooManySteps('[3d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'a subquery of a compound duration [1h30m:1ms]',
    `anomaly_score(avg_over_time(${METRIC}[1h30m:1ms]), train="1d")`,
    tooManySteps('[1h30m:1ms]')
  ),
  refusedQuery(
    'a subquery without resolution over 100 days (Prometheus evaluates it every 1m)',
    `anomaly_flag(max_over_time(${METRIC}[100d:]))`,
    (query) => new RegExp(`^subquery \\[100d:\\] at char ${charOf(query, '[100d')} .*resolution 15s\\); at most 111000`)
  ),
  refusedQuery(
    'a subquery around a rate over a subquery (nested: [1d:100ms] inside)',
    `anomaly_flag(max_over_time(rate(${METRIC}[5m])[1d:100ms]))`,
    tooManySteps('[1d:100ms]')
  ),
  refusedQuery(
    'nested subqueries, each modest alone, multiplied (limits.maxSamplesPerQuery = 5000 here)',
    `anomaly_flag(max_over_time(max_over_time(${METRIC}[10m:1m])[10m:1m]))`,
    (query) =>
      new RegExp(
        `^subquery \\[10m:1m\\] at char ${charOf(query, '[10m')} would have the upstream evaluate \\d+ samples per series \\(\\d+ steps of 1m x 100 per step, nested subqueries multiplied\\); at most 5000 \\(limits\\.maxSamplesPerQuery\\)`
      )
  ),
  refusedQuery(
    'a subquery whose text a string label value also holds (the string is not the subquery)',
    `anomaly_flag(max_over_time(cpu_usage_percent{host="[1m:1m]"}[3d:1ms]))`,
    tooManySteps('[3d:1ms]')
  ),
  refusedQuery(
    'a subquery after a single-quoted value with an escaped quote',
    `anomaly_flag(max_over_time(cpu_usage_percent{host='x\\'[1m:1m]'}[3d:1ms]))`,
    tooManySteps('[3d:1ms]')
  ),
  refusedQuery(
    'a subquery with a harmless one in a comment after it',
    `anomaly_flag(max_over_time(${METRIC}[3d:1ms]) # [1m:1m]\n)`,
    tooManySteps('[3d:1ms]')
  ),
  refusedQuery(
    'a subquery spelled with spaces and a comment inside its brackets',
    `anomaly_flag(max_over_time(${METRIC}[ 3d # range\n : 1ms ]))`,
    tooManySteps('[3d:1ms]', '[ 3d')
  ),
  refusedQuery(
    'a subquery of zero resolution [1h:0s]',
    `anomaly_flag(max_over_time(${METRIC}[1h:0s]))`,
    (query) => new RegExp(`^subquery \\[1h:0s\\] at char ${charOf(query, '[1h')}: the resolution must be more than 0`)
  ),
  refusedQuery(
    'a subquery the proxy cannot read ([1h:-1m]): refused, not guessed',
    `anomaly_flag(max_over_time(${METRIC}[1h:-1m]))`,
    (query) => new RegExp(`^subquery \\[1h:-1m\\] at char ${charOf(query, '[1h')}: expected \\[<range>:<resolution>\\]`)
  ),
  refusedQuery(
    'offset 99999999999y',
    `anomaly_flag(${METRIC} offset 99999999999y)`,
    beyondTimes('offset 99999999999y', '99999999999y')
  ),
  refusedQuery(
    'OFFSET -99999999999y (keyword in upper case, negative)',
    `anomaly_flag(${METRIC} OFFSET -99999999999y)`,
    beyondTimes('offset 99999999999y', '99999999999y')
  ),
  refusedQuery('@ 1e300', `anomaly_flag(${METRIC} @ 1e300)`, beyondTimes('@ 1e300', '1e300')),
  refusedQuery(
    'a range selector of 99999999999y',
    `anomaly_flag(rate(${METRIC}[99999999999y]))`,
    beyondTimes('range \\[99999999999y\\]', '99999999999y')
  ),
  // Plain PromQL (no anomaly function) is passed through, but its subqueries are bounded too: sent plain,
  // max_over_time(m[30d:1ms]) made Prometheus 2.42 ask for 62 GB and exit (a review's attack, 2026-12-03).
  refusedQuery(
    'plain max_over_time(m[30d:1ms]), instant (62 GB in Prometheus 2.42)',
    `max_over_time(${METRIC}[30d:1ms])`,
    tooManyPlainSteps('[30d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'plain nested subqueries over a range query',
    `max_over_time(max_over_time(${METRIC}[10m:1m])[10m:1m])`,
    (query) =>
      tooManyEvaluations(
        '[10m:1m]',
        charOf(query, '[10m'),
        '\\d+ steps of \\d+\\w+ x 100 per step, nested subqueries multiplied'
      )
  ),
  // Prometheus evaluates a subquery's expression across the whole span at its resolution, however few the steps
  // (an attack review, 2026-12-04: these stalled Prometheus 2.42 for minutes when only steps x range were counted).
  {
    class: 'promql',
    name: 'plain max_over_time(m[1s:1ms]) at step=30d: one step, yet every 1ms of the span evaluated',
    send: (target) => queryRangeOver(target, `max_over_time(${METRIC}[1s:1ms])`, { step: String(30 * 86_400) }),
    status: 400,
    errorType: 'bad_data',
    error: tooManyPlainSteps('[1s:1ms]')(`max_over_time(${METRIC}[1s:1ms])`),
  },
  refusedQuery(
    'plain, a short subquery under an enclosing [1y:1y], instant',
    `max_over_time(max_over_time(${METRIC}[1s:1ms])[1y:1y])`,
    tooManyPlainSteps('[1s:1ms]'),
    'instant'
  ),
  refusedQuery(
    'plain offset 99999999999y',
    `${METRIC} offset 99999999999y`,
    beyondTimes('offset 99999999999y', '99999999999y'),
    'instant'
  ),
  // The proxy must read PromQL as Prometheus does, or a subquery hides from the check (a review's attack,
  // 2026-12-03): Go escapes it did not know made the query "plain without tokens", passed on unchecked, and a
  // comment Prometheus ends at \r ran on to the next \n here.
  refusedQuery(
    'plain, a subquery after a \\x41 escape Prometheus accepts',
    `max_over_time(cpu_usage_percent{job!="\\x41"}[30d:1ms])`,
    tooManyPlainSteps('[30d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'plain, a subquery after \\101 and \\u00e9 escapes',
    `max_over_time(cpu_usage_percent{job!="\\101\\u00e9"}[30d:1ms])`,
    tooManyPlainSteps('[30d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'plain, a subquery behind a comment Prometheus ends at \\r',
    `${METRIC} # x\r* 0 + max_over_time(${METRIC}[30d:1ms])`,
    tooManyPlainSteps('[30d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'wrapped, a subquery behind a comment Prometheus ends at \\r',
    `anomaly_flag(${METRIC} # \r * 0 + max_over_time(${METRIC}[3d:1ms])\n)`,
    tooManySteps('[3d:1ms]')
  ),
  // Inside brackets Prometheus reads any letter or "_" as the subquery's colon (a second attack review).
  refusedQuery(
    'plain, a subquery spelled [30d x 1ms] (a letter for the colon)',
    `max_over_time(${METRIC}[30d x 1ms])`,
    tooManyPlainSteps('[30d:1ms]'),
    'instant'
  ),
  refusedQuery(
    'wrapped, a subquery spelled [3d _1ms]',
    `anomaly_flag(max_over_time(${METRIC}[3d _1ms]))`,
    tooManySteps('[3d:1ms]', '[3d')
  ),
  refusedQuery(
    'plain, two colons in one bracket ([1m x y 1s]): refused with its position, as Prometheus refuses it',
    `max_over_time(${METRIC}[1m x y 1s])`,
    (query) => new RegExp(`^parse error at char ${charOf(query, 'y 1s')}: unexpected character "y" inside brackets`),
    'instant'
  ),
  refusedQuery(
    'plain, an escape Prometheus refuses too: refused with its position, not passed on unchecked',
    `max_over_time(cpu_usage_percent{job!="\\q"}[30d:1ms])`,
    (query) => new RegExp(`^parse error at char ${charOf(query, '\\q')}: unknown escape sequence \\\\q`),
    'instant'
  ),
  // A digit run and a letter once cost the lexer time cubic in the run's length, on the event loop: 3 000 digits held
  // every request (and /healthz) for 23 s; the longest query allowed, about an hour.
  refusedQuery(
    'plain, 16 000 digits and a letter: refused at once',
    `${'1'.repeat(16_000)}a`,
    () => /^parse error at char 1: bad number or duration syntax: "1{16000}a"$/
  ),
  refusedQuery(
    'wrapped, a comparison with 16 000 digits and an underscore: refused at once',
    `anomaly_flag(${METRIC}) > ${'9'.repeat(16_000)}_`,
    (query) => new RegExp(`^parse error at char ${charOf(query, '999')}: bad number or duration syntax`),
    'instant'
  ),
];
