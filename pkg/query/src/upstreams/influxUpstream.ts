/**
 * Reading series from an InfluxDB 1.x upstream with an InfluxQL statement. Grafana's macros are substituted:
 * `$timeFilter` → `time >= <start>ms AND time <= <end>ms`, or with GROUP BY time(...) `time < <end + its interval>ms`
 * (the last bucket whole), `$interval`/`$__interval` → the step (e.g. `60s`),
 * `$__interval_ms` → the step in ms. Each returned series × field column becomes one Prometheus series:
 * labels = the series' tags, `__name__` = `<measurement>_<field>` with characters outside [A-Za-z0-9_:] as `_`.
 */
import { PromApiError, badData } from '../errors';
import { formatDuration } from '../time';
import { type AnswerReading, readAnswerChunks, seriesOrThrow } from './answerReading';
import { Series, labelsKey } from './series';
import {
  type StatementLimits,
  InfluxqlError,
  checkReadOnlySelect,
  groupByTimeIntervalMs,
} from './influxql/readOnlySelect';
import { UpstreamHttp } from './upstreamHttp';

export function substituteInfluxMacros(statement: string, startMs: number, endMs: number, stepMs: number): string {
  // A GROUP BY time(...) bucket's row at m holds the samples of [m, m + its interval): the range's last row holds its
  // whole bucket only when read to that bucket's end. Read to `endMs` it held the samples at exactly m (a review: a
  // mean of 1 for 3.5, or no row at all for samples 20 s into each minute), and the writer's runs never scored it again.
  const bucketMs = groupByTimeIntervalMs(statement, stepMs);
  const end =
    bucketMs === undefined ? `time <= ${Math.ceil(endMs)}ms` : `time < ${Math.floor(endMs) + Math.ceil(bucketMs)}ms`;
  return statement
    .replace(/\$timeFilter\b/g, `time >= ${Math.floor(startMs)}ms AND ${end}`)
    .replace(/\$__interval_ms\b/g, String(stepMs))
    .replace(/\$__interval\b|\$interval\b/g, formatDuration(stepMs));
}

export async function influxQuery(
  http: UpstreamHttp,
  statement: string,
  startMs: number,
  endMs: number,
  stepMs: number,
  /** What the statement may make InfluxDB compute, with the range its $timeFilter covers (costLimits influxqlLimits). */
  limits: StatementLimits,
  signal?: AbortSignal,
  /** Reads a successful answer off the event loop (EngineThreads.parseMatrix, format 'influx'); undefined = here. */
  parseElsewhere?: (body: Uint8Array[]) => Promise<AnswerReading>
): Promise<Series[]> {
  const influx = http.config.influx!;
  // The gate every statement passes on its way to InfluxDB (the request checked it before, with positions, but
  // without the range): checked as written, with its macros, which the proxy then fills in with its own values.
  try {
    checkReadOnlySelect(statement, influx, limits);
  } catch (error) {
    throw error instanceof InfluxqlError ? badData(`upstream "${http.name}": ${error.message}`) : error;
  }
  const q = substituteInfluxMacros(statement, startMs, endMs, stepMs);
  // Chunked: InfluxDB streams its answer (10 000 points a chunk, one JSON document a line) instead of building it
  // whole first, so an answer past maxAnswerBytes is cut while InfluxDB works and it stops when the proxy hangs up
  // (an attack review: a raw SELECT over 100 years, or many sources, had it build gigabytes before the first byte).
  const params = new URLSearchParams({ db: influx.database, q, epoch: 'ms', chunked: 'true' });
  if (influx.retentionPolicy) {
    params.set('rp', influx.retentionPolicy);
  }
  const read = await http.sendChunks('/query', params, 'GET', signal);
  // A large answer is parsed on a worker thread, like Prometheus': a 100 MB one held the event loop (and /healthz)
  // for seconds. Its chunks go there as read (transferred): joining and decoding them here held it for ~0.7 s at
  // 40 MB. What the worker cannot read as a success is explained here.
  if (read.status < 400 && typeof read.body !== 'string') {
    // No Prometheus error body to pass on: InfluxDB's answers never are one (readInfluxAnswer).
    const { reading, body } = await readAnswerChunks(read.body, parseElsewhere, readInfluxAnswer);
    return seriesOrThrow(http, reading, { contentType: read.contentType, body });
  }
  const response = { ...read, body: read.body as string };
  // An error answer (at most MAX_ERROR_ANSWER_BYTES).
  let answer: { error?: unknown };
  try {
    answer = JSON.parse(response.body);
  } catch {
    throw http.badAnswer(`HTTP ${response.status}, body is not JSON`);
  }
  // InfluxDB answers 400 for statements it cannot parse, 401/403 for auth, 5xx for its own trouble.
  if (typeof answer?.error !== 'string') {
    throw http.badAnswer(`HTTP ${response.status} without "results"`);
  }
  if (response.status >= 500) {
    throw http.badAnswer(`HTTP ${response.status}: ${answer.error}`);
  }
  throw new PromApiError(
    response.status,
    response.status === 400 ? 'bad_data' : 'execution',
    `upstream "${http.name}": ${answer.error}`
  );
}

/**
 * What an InfluxDB answer with a success status holds (answerReading.ts): read where it costs the event loop nothing
 * when it is large (a worker thread: training/engineJobs.ts).
 */
export function readInfluxAnswer(body: string): AnswerReading {
  const answers = influxDocuments(body);
  if (answers === undefined) {
    return { badAnswer: 'HTTP 200, body is not JSON' };
  }
  const results: unknown[] = [];
  for (const answer of answers) {
    if (typeof answer?.error === 'string') {
      return { execution: answer.error };
    }
    if (!Array.isArray(answer?.results)) {
      return { badAnswer: 'HTTP 200 without "results"' };
    }
    results.push(...answer.results);
  }
  return influxResultsSeries(results);
}

/**
 * The JSON documents of an answer, parsed once: with `chunked=true` one a line (InfluxDB writes them compact), a
 * series continued from one to the next; else one, perhaps over several lines. Undefined: not JSON.
 */
function influxDocuments(body: string): Array<{ error?: unknown; results?: unknown }> | undefined {
  const lines = body.split('\n').filter((line) => line.trim() !== '');
  const parse = (text: string) => {
    try {
      return JSON.parse(text) as { error?: unknown; results?: unknown };
    } catch {
      return undefined;
    }
  };
  const documents = [];
  for (const line of lines.length > 1 ? lines : [body]) {
    const document = parse(line);
    if (document === undefined) {
      // Not one document a line: one written over several lines, or not JSON at all.
      const whole = lines.length > 1 && documents.length === 0 ? parse(body) : undefined;
      return whole === undefined ? undefined : [whole];
    }
    documents.push(document);
  }
  return documents;
}

function influxResultsSeries(results: unknown[]): AnswerReading {
  const series: Series[] = [];
  // Where each label set came from: two columns whose names differ only in characters outside [A-Za-z0-9_:] (AS
  // "x.y" and AS "x_y") would become one series twice, which Prometheus never answers, and share one model.
  const origins = new Map<string, string>();
  const byKey = new Map<string, Series>();
  for (const result of results as Array<{ error?: string; series?: InfluxSeries[] }>) {
    if (typeof result?.error === 'string') {
      return { execution: result.error };
    }
    for (const item of result?.series ?? []) {
      const converted = convertInfluxSeries(item);
      if (typeof converted === 'string') {
        return { badAnswer: converted };
      }
      for (const [k, one] of converted.entries()) {
        const key = labelsKey(one.labels);
        const origin = `column ${JSON.stringify(item.columns?.[k + 1])} of ${JSON.stringify(item.name ?? 'influx')}`;
        const earlier = origins.get(key);
        if (earlier !== undefined && earlier !== origin) {
          return {
            execution:
              `${earlier} and ${origin} both become the series ${key} ` +
              '(vector cannot contain metrics with the same labelset): name one of them apart with AS',
          };
        }
        origins.set(key, origin);
        const continued = byKey.get(key);
        if (continued === undefined) {
          byKey.set(key, one);
          series.push(one);
        } else {
          // The same series in the next chunk: its points follow.
          // (A loop: a spread of a 200 000-point chunk overflowed the stack.)
          const [timestamps, values] = [continued.timestamps as number[], continued.values as number[]];
          for (let i = 0; i < one.timestamps.length; i++) {
            timestamps.push(one.timestamps[i]);
            values.push(one.values[i]);
          }
        }
      }
    }
  }
  for (const one of series) {
    const repeated = repeatedTimestamps(one.timestamps);
    if (repeated.count > 0) {
      return { execution: severalSeriesInOne(one, repeated) };
    }
  }
  return series;
}

/**
 * How many of `timestamps` repeat the one before (and the first of them). InfluxDB answers in time order, ascending or
 * (ORDER BY time DESC) descending, several series merged into one included: a repeated time is always next to itself.
 */
function repeatedTimestamps(timestamps: ArrayLike<number>): { count: number; first: number } {
  let count = 0;
  let first = NaN;
  for (let i = 1; i < timestamps.length; i++) {
    if (timestamps[i] === timestamps[i - 1]) {
      count++;
      first = count === 1 ? timestamps[i] : first;
    }
  }
  return { count, first };
}

/**
 * One InfluxDB series never holds two points at one time (a later write replaces the earlier), so rows at a time the
 * series already has are rows of several series in one: a statement without GROUP BY the tag that tells them apart.
 * Scored as one, the last row at each time won without a word (a review: host b's scores answered for both hosts).
 */
function severalSeriesInOne(one: Series, repeated: { count: number; first: number }): string {
  return (
    `the series ${labelsKey(one.labels)} has ${repeated.count} row${repeated.count > 1 ? 's' : ''} at a time it ` +
    `already has (the first at ${new Date(repeated.first).toISOString()}): rows of several series in one; ` +
    'GROUP BY the tag that tells them apart (e.g. GROUP BY host), or aggregate them per time with GROUP BY time($interval)'
  );
}

interface InfluxSeries {
  name?: string;
  tags?: Record<string, string>;
  columns?: string[];
  values?: unknown[][];
}

/** One InfluxDB series as Prometheus series (one per field column), or what is wrong with it. */
function convertInfluxSeries(item: InfluxSeries): Series[] | string {
  if (!Array.isArray(item.columns) || !Array.isArray(item.values) || item.columns[0] !== 'time') {
    return 'a series lacks "columns" starting with "time", or "values"';
  }
  const result: Series[] = [];
  for (let column = 1; column < item.columns.length; column++) {
    const name = `${item.name ?? 'influx'}_${item.columns[column]}`.replace(/[^A-Za-z0-9_:]/g, '_');
    // Empty tag values mean "no such tag" (as Prometheus treats empty labels).
    const tagEntries = Object.entries(item.tags ?? {});
    if (tagEntries.some(([, value]) => typeof value !== 'string')) {
      return 'a tag value is not a string';
    }
    const tags = Object.fromEntries(tagEntries.filter(([, value]) => value !== ''));
    const series = { labels: { ...tags, __name__: name }, timestamps: [] as number[], values: [] as number[] };
    for (const row of item.values) {
      if (!Array.isArray(row) || typeof row[0] !== 'number') {
        return 'a time value is not epoch milliseconds';
      }
      const value: unknown = row[column];
      if (typeof value === 'number') {
        series.timestamps.push(row[0]);
        series.values.push(value);
      }
    }
    result.push(series);
  }
  return result;
}
