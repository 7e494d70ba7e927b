/**
 * Requests that would make the proxy work without end: absurd times, ranges and steps (refused at once, like
 * Prometheus), and anomaly queries over a cost limit (refused naming the limit, before the upstream is asked where
 * the query alone shows the cost).
 */
import { instantQueryAt, queryRangeOver } from './anomalyRequest';
import { HostileCase, HostileClass } from './types';

const QUERY = 'anomaly_flag(cpu_usage_percent{job="telemetry"}, train="1d")';

function refused(
  kind: HostileClass,
  name: string,
  send: HostileCase['send'],
  expected: { status?: number; errorType?: string; error: RegExp; mayAskUpstream?: boolean }
): HostileCase {
  return { class: kind, name, send, status: 400, errorType: 'bad_data', ...expected };
}

const instant =
  (time: string, query = QUERY) =>
  (target: Parameters<HostileCase['send']>[0]) =>
    instantQueryAt(target, { query, time });
const range =
  (params: Record<string, string>, query = QUERY) =>
  (target: Parameters<HostileCase['send']>[0]) =>
    queryRangeOver(target, query, params);
const option = (options: string) => range({}, `anomaly_flag(cpu_usage_percent{job="telemetry"}, ${options})`);

const BAD_TIME = /cannot parse .* to a valid timestamp/;

export const TIME_CASES: HostileCase[] = [
  refused('times', 'time=1e300', instant('1e300'), { error: BAD_TIME }),
  refused('times', 'time=-1e300', instant('-1e300'), { error: BAD_TIME }),
  refused('times', 'time=1e16 (beyond Date)', instant('1e16'), { error: BAD_TIME }),
  refused('times', 'time=Inf', instant('Inf'), { error: BAD_TIME }),
  refused('times', 'time=NaN', instant('NaN'), { error: BAD_TIME }),
  refused('times', 'start=0 end=1e300', range({ start: '0', end: '1e300' }), { error: BAD_TIME }),
  // RFC 3339 as Prometheus (Go) reads it: days that exist, upper-case T and Z (Date.parse took all of these).
  refused('times', 'time=2026-02-30T00:00:00Z (no such day)', instant('2026-02-30T00:00:00Z'), { error: BAD_TIME }),
  refused('times', 'time=2026-12-01T24:00:00Z (hour 24)', instant('2026-12-01T24:00:00Z'), { error: BAD_TIME }),
  refused('times', 'time with a lower-case t', instant('2026-12-01t10:00:00Z'), { error: BAD_TIME }),
  refused('times', 'start with a space for T', range({ start: '2026-12-01 10:00:00Z' }), { error: BAD_TIME }),
  refused('times', 'time=0x10 (hex)', instant('0x10'), { error: BAD_TIME }),
  refused(
    'times',
    'train_start on a day that does not exist',
    option('train_start="2026-02-30T00:00:00Z", train_end="2026-03-05T00:00:00Z"'),
    {
      error: /train_start must be an RFC 3339 time/,
    }
  ),
  refused('times', 'end before start', range({ start: '2000', end: '1000' }), {
    error: /end timestamp must not be before start/,
  }),
  refused('times', 'step=0', range({ step: '0' }), { error: /zero or negative query resolution step/ }),
  refused('times', 'step=-60', range({ step: '-60' }), { error: /cannot parse "-60" to a valid duration/ }),
  refused('times', 'step=1e300 (beyond int64 nanoseconds, as Prometheus reads it)', range({ step: '1e300' }), {
    error: /^invalid parameter "step": cannot parse "1e300" to a valid duration$/,
  }),
  refused('times', 'a million points', range({ start: '0', end: '60000000', step: '60' }), {
    error: /exceeded maximum resolution of 11000 points per timeseries/,
  }),
  // The option's step, not the request's, is what to change: a panel's step= that fits a day does not fit a week.
  refused('times', 'step="1s" option over 6 h (21 601 points)', option('step="1s"'), {
    error:
      /^parse error at char 55: the step= option \(1s\) gives 21601 points per timeseries over this range, more than 11000 \(limits\.maxPointsPerSeries\): use a larger step= or a shorter range$/,
  }),
  refused('times', 'step="1000000y" option', option('step="1000000y"'), {
    error: /step "1000000y" is out of range: at most 106751d23h47m16s854ms/,
  }),
  refused('times', 'train="10000w" option', option('train="10000w"'), {
    error: /limits\.maxTrainingPointsPerSeries/,
  }),
  refused('times', 'training range of a million points', option('train="1000d", step="1m"'), {
    error: /limits\.maxTrainingPointsPerSeries/,
  }),
  // A span beyond what a duration can be written as: once a 500 (the message's formatting threw).
  refused(
    'times',
    'training range of the whole supported time line',
    option('train_start="-8640000000000", train_end="8640000000000", step="1y"'),
    {
      error:
        /^parse error at char 62: training range 17280000000000000 ms at step .* points per series; at most \d+ \(limits\.maxTrainingPointsPerSeries\)/,
    }
  ),
  refused('times', 'step=1e-300 (zero once in milliseconds)', range({ step: '1e-300' }), {
    error: /zero or negative query resolution step/,
  }),
  refused('times', 'step=0.001 over 6 h (21.6 million points)', range({ step: '0.001' }), {
    error: /exceeded maximum resolution of 11000 points per timeseries/,
  }),
  // Seconds beyond int64 nanoseconds: no duration, as Prometheus reads it ("It overflows int64").
  refused('times', 'step=9223372036854775807', range({ step: '9223372036854775807' }), {
    error: /^invalid parameter "step": cannot parse "9223372036854775807" to a valid duration$/,
  }),
  refused('times', 'step=Infinity', range({ step: 'Infinity' }), {
    error: /cannot parse "Infinity" to a valid duration/,
  }),
  refused('times', 'end=+Inf', range({ end: '+Inf' }), { error: BAD_TIME }),
  refused('times', 'time with a leading space', instant(' 1796270700'), { error: BAD_TIME }),
  refused('times', 'time with second 60', instant('2026-12-03T00:00:60Z'), { error: BAD_TIME }),
  refused('times', 'time=1_000 (Go and JavaScript digit separators)', instant('1_000'), { error: BAD_TIME }),
  refused('times', 'time in Arabic-Indic digits', instant('\u0663\u0660'), { error: BAD_TIME }),
];

const BAD_OPTION = (text: string) => new RegExp(`^parse error at char \\d+: ${text}`);

/** Option values a client could use to make the engine or the model store misbehave, or to name another host. */
export const OPTION_CASES: HostileCase[] = [
  refused('options', 'contamination=NaN', option('contamination=NaN'), { error: BAD_OPTION('contamination must be') }),
  refused('options', 'contamination=Inf', option('contamination=Inf'), { error: BAD_OPTION('contamination must be') }),
  refused('options', 'trees=1e309 (Infinity)', option('trees=1e309'), {
    error: BAD_OPTION('trees must be an integer'),
  }),
  refused('options', 'seed beyond 2^32', option('seed=99999999999999999999'), { error: BAD_OPTION('seed must be') }),
  refused('options', 'seed=-Inf', option('seed=-Inf'), { error: BAD_OPTION('expected a value for option seed') }),
  refused('options', 'train="1e309s"', option('train="1e309s"'), { error: BAD_OPTION('train must be a duration') }),
  refused('options', 'step="0s"', option('step="0s"'), { error: BAD_OPTION('step must be a duration') }),
  refused('options', 'upstream given as a URL (SSRF)', option('upstream="http://127.0.0.1:9/"'), {
    error: BAD_OPTION('unknown upstream "http://127.0.0.1:9/"'),
  }),
  refused('options', 'upstream="__proto__"', option('upstream="__proto__"'), {
    error: BAD_OPTION('unknown upstream "__proto__"'),
  }),
  refused('options', 'an option named __proto__', option('__proto__=1'), {
    error: BAD_OPTION('unknown option "__proto__"'),
  }),
  refused('options', 'an option given twice (trees=1, trees=1000)', option('trees=1, trees=1000'), {
    error: BAD_OPTION('option "trees" given twice'),
  }),
  refused(
    'options',
    'train_end before train_start',
    option('train_start="2026-01-02T00:00:00Z", train_end="2026-01-01T00:00:00Z"'),
    {
      error: BAD_OPTION('train_end must be after train_start'),
    }
  ),
];

const ANSWER_TOO_LARGE = (upstream: string) => ({
  status: 422,
  errorType: 'execution',
  error: new RegExp(
    `^upstream "${upstream}" answered more than 614400 bytes \\(limits\\.maxUpstreamAnswerBytes\\): narrow the query`
  ),
  mayAskUpstream: true,
});

export const COST_CASES: HostileCase[] = [
  refused('cost', "the issue's query", option('trees=10000, lags=200, window=2000, train="30d", step="5m"'), {
    error: /trees=10000 is more than limits\.maxTrees allows \(1000\)/,
  }),
  refused('cost', 'trees=5000', option('trees=5000'), { error: /limits\.maxTrees/ }),
  refused('cost', 'window=2000', option('window=2000'), { error: /limits\.maxWindow/ }),
  refused('cost', 'lags=200', option('lags=200'), { error: /limits\.maxLags/ }),
  refused('cost', 'a query longer than maxQueryLength', range({}, `${QUERY} #${'x'.repeat(20_000)}`), {
    error: /limits\.maxQueryLength/,
  }),
  refused('cost', 'more series than maxSeriesPerQuery', range({}, 'anomaly_flag({job="telemetry"}, train="1d")'), {
    status: 422,
    errorType: 'execution',
    error: /limits\.maxSeriesPerQuery/,
    mayAskUpstream: true,
  }),
  refused(
    'cost',
    'series whose labels label_replace made 18 000 characters long (each model would carry them)',
    range(
      {},
      `anomaly_flag(label_replace(cpu_usage_percent{job="telemetry",host="host-a"}, "big", "${'$1'.repeat(3_000)}", "host", "(.*)"), train="1d")`
    ),
    {
      status: 422,
      errorType: 'execution',
      error: /^a series of the wrapped query has \d+ characters of labels; at most 16384 can be scored$/,
      mayAskUpstream: true,
    }
  ),
  refused('cost', 'more samples than maxSamplesPerQuery', option('train="2d"'), {
    status: 422,
    errorType: 'execution',
    error: /too many samples .*limits\.maxSamplesPerQuery/,
    mayAskUpstream: true,
  }),
  // limits.maxUpstreamAnswerBytes: the answer is given up as it arrives, before it is parsed or counted.
  refused(
    'cost',
    'a Prometheus answer over maxUpstreamAnswerBytes (10 series, 30 h at 15 s: ~2 MB)',
    (target) =>
      queryRangeOver(target, 'anomaly_flag({job="telemetry"}, train="1d")', {
        start: String(target.dataset.end / 1000 - 30 * 3600),
        step: '15',
      }),
    ANSWER_TOO_LARGE('prom')
  ),
  refused(
    'cost',
    'an InfluxDB answer over maxUpstreamAnswerBytes (SELECT * over 70 h: ~850 KB)',
    (target) =>
      queryRangeOver(
        target,
        'anomaly_flag(influxql("SELECT * FROM telemetry WHERE $timeFilter"), upstream="influx", train="1d")',
        { start: String(target.dataset.end / 1000 - 70 * 3600) }
      ),
    ANSWER_TOO_LARGE('influx')
  ),
  refused(
    'cost',
    "a training fetch over maxUpstreamAnswerBytes (4 series' 3 days at 15 s)",
    instant('', 'anomaly_flag({job="telemetry", __name__=~"cpu.*|memory.*"}, train="3d", step="15s")'),
    ANSWER_TOO_LARGE('prom')
  ),
  // A group's feature columns grow with its series x (lags + 6): 4.9 GB and 12.9 GB of memory within every other
  // limit (an attack review, 2026-12-04). Refused before the training range is fetched.
  refused(
    'cost',
    "a multivariate group's feature matrix over maxFeatureValuesPerModel (4 series x lags=60)",
    range(
      {},
      'anomaly_flag({job="telemetry", __name__=~"cpu.*|memory.*"}, mode="multivariate", lags="60", train="1d")'
    ),
    {
      status: 422,
      errorType: 'execution',
      error:
        /^the model of \{\} would learn from 1441 rows x 268 feature columns \(4 series\) = 386188 values, at most 250000 \(limits\.maxFeatureValuesPerModel\)/,
      mayAskUpstream: true,
    }
  ),
  refused('cost', 'more points to score than maxPointsScoredPerQuery', range({ step: '15' }, QUERY), {
    status: 422,
    errorType: 'execution',
    error: /limits\.maxPointsScoredPerQuery/,
    mayAskUpstream: true,
  }),
];
