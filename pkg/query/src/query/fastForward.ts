/**
 * Fast-forward fetching: a warm anomaly range query asks the upstream only for what is new, as the results caches in
 * front of Prometheus (Cortex, Thanos query frontends) do with a "max freshness" window.
 *
 * Each model's score cache (scoreCache.ts) holds the raw values it last scored and the upstream range they were
 * fetched for. When every model of a query holds raw values from the request's data start on, on the same step grid
 * (Prometheus evaluates a range query at start + k × step, and the value at a step does not depend on the range), the
 * upstream is asked only for [first step at or after (cached end − refetchWindow), request end]; the cached rows
 * before that are spliced in front of the fetched ones (fetched rows win), and scoring goes on as for a full fetch.
 * Samples older than the refetch window that change later in the upstream (late backfills) are not seen until the
 * model is retrained or evicted.
 *
 * Only PromQL is fast-forwarded: an InfluxQL statement's `GROUP BY time(...)` buckets start where the statement
 * says, so a partial range could end up with a partial first bucket; and PromQL's `@ start()` / `@ end()` make
 * values depend on the range.
 *
 * Per query, the proxy remembers which models it scored and which series the upstream returned (QueryFetchRecord).
 * When the partial fetch returns another set of series (one appeared, or one has no sample in the new part), or a
 * model changed since the plan was made, the query is fetched again whole: a new series has no cached history.
 */
import { createHash } from 'node:crypto';
import { type SeriesTable, lowerBound } from '@telemetry-analyzer/engine';
import { Series, labelsKey } from '../upstreams/series';
import type { ScoredTable } from './scoreCache';
import { type Token, tokenize } from './lexer';

/** What the previous request of a query (same expression, options and step) scored. */
export interface QueryFetchRecord {
  /** Keys of the models that scored a table (units without a model are not cached). */
  modelKeys: string[];
  /** The series the upstream returned (seriesSetOf: a digest of their label sets). */
  seriesSet: string;
}

/** The model's cached raw rows as they were when the plan was made, with the column names they are in. */
export interface CachedRows {
  columns: readonly string[];
  table: ScoredTable;
}

export interface FastForwardPlan {
  /** Where the upstream fetch starts: a step of the request's grid, after its data start. */
  fetchStartMs: number;
  /** Model key → its cached rows (the snapshot to splice, immune to concurrent requests replacing them). */
  cached: Map<string, CachedRows>;
  /** The series the fetch must return for the plan to hold. */
  seriesSet: string;
}

/**
 * Whether cached rows may be reused for this expression: PromQL that evaluates relative to the query's range
 * (`x @ start()`, `@ END()`: Prometheus reads the keywords in any case, with comments between) depends on where the
 * range starts, so it is fetched whole. Read with the grammar's lexer, not a pattern; what does not lex is fetched
 * whole too.
 */
export function canFastForward(language: string, expression: string): boolean {
  if (language !== 'promql') {
    return false;
  }
  let tokens: Token[];
  try {
    tokens = tokenize(expression);
  } catch {
    return false;
  }
  return !tokens.some(
    (token, i) =>
      token.type === 'punctuation' &&
      token.text === '@' &&
      tokens[i + 1]?.type === 'identifier' &&
      /^(?:start|end)$/i.test(tokens[i + 1].text)
  );
}

/** Canonical text of the set of series' label sets: equal text = the same series. */
export function seriesSetOf(series: Series[]): string {
  // A digest, not the label sets' text: a record is kept per query, and 500 series of long label sets made each one
  // megabytes (a review's attack grew the proxy by 1.5 MB a distinct query).
  const digest = createHash('sha256');
  for (const key of series.map((s) => labelsKey(s.labels)).sort()) {
    digest.update(key).update('\n');
  }
  return digest.digest('hex');
}

/**
 * The step from which the upstream must be asked again, or undefined when the cached rows cannot serve the request
 * (they start after it, lie on another step grid, end before it, or all fall within the refetch window).
 * @param cached the fetched ranges of every model's cached rows
 * @param request the request's data range (scored range plus warm-up) and step
 * @param refetchWindowMs how far back from the cached end samples are fetched again [> 0]
 */
export function fetchStartAfterCache(
  cached: Array<{ startMs: number; endMs: number; stepMs: number }>,
  request: { startMs: number; endMs: number; stepMs: number },
  refetchWindowMs: number
): number | undefined {
  if (cached.length === 0) {
    return undefined;
  }
  const step = request.stepMs;
  let trustedUntil = Infinity;
  for (const range of cached) {
    const offset = request.startMs - range.startMs;
    if (range.stepMs !== step || offset < 0 || offset % step !== 0) {
      return undefined;
    }
    trustedUntil = Math.min(trustedUntil, range.endMs - refetchWindowMs);
  }
  // The first step of the request's grid at or after trustedUntil; every step before it is cached.
  const cachedSteps = Math.ceil((trustedUntil - request.startMs) / step);
  if (cachedSteps <= 0) {
    return undefined;
  }
  const fetchStart = request.startMs + cachedSteps * step;
  return fetchStart <= request.endMs ? fetchStart : undefined;
}

/**
 * The cached rows in [fromMs, untilMs) followed by every row of `fetched` (which starts at or after untilMs); the
 * cached columns are in the same order as the fetched table's. Rows before fromMs are dropped, which keeps the
 * cache bounded to the latest requested range.
 */
export function spliceCachedRows(
  cached: ScoredTable,
  fromMs: number,
  untilMs: number,
  fetched: SeriesTable
): SeriesTable {
  if (cached.columns.length !== fetched.columns.length) {
    throw new Error(
      `cannot splice cached rows with ${cached.columns.length} columns onto ${fetched.columns.length} fetched columns`
    );
  }
  const first = lowerBound(cached.timestamps, fromMs);
  const end = lowerBound(cached.timestamps, untilMs);
  const concat = (head: Float64Array, tail: Float64Array) => {
    const joined = new Float64Array(end - first + tail.length);
    joined.set(head.subarray(first, end));
    joined.set(tail, end - first);
    return joined;
  };
  return {
    timestamps: concat(cached.timestamps, fetched.timestamps),
    columns: fetched.columns.map((column, c) => ({
      name: column.name,
      values: concat(cached.columns[c], column.values),
    })),
  };
}
