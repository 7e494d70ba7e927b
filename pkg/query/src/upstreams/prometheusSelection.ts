/**
 * Reading only a part of a PromQL selector's series from a Prometheus API (Prometheus, Mimir, Thanos,
 * VictoriaMetrics): what a writer shard does, so that N shards together read the query once instead of N times.
 *
 * 1. The selector's series are listed with `/api/v1/series` (label sets only, no samples) over the fetched range,
 *    widened by the lookback a range query looks back from its first step.
 * 2. The wanted label sets become a few exact selectors: grouped by every label but one (the label that gives the
 *    fewest groups, e.g. `host`), each group one selector `{__name__="m", job="j", host=~"h1|h7|h9"}`, at most
 *    MAX_VALUES_PER_SELECTOR values each. Each selector is one range query (never joined with `or`: PromQL's set
 *    operators match on the labels without `__name__`, so `a{x} or b{x}` would lose `b{x}`).
 * 3. The answers are kept only for the wanted label sets (a selector also matches series with further labels).
 *
 * With a SeriesListingCache (the writer's, one per job), step 1 is skipped while an earlier listing of the selector
 * still serves: a steady-state read costs only the exact-selector range queries, and a series that appears later is
 * read once the cache lists again (see SeriesListingCache).
 *
 * A value at a step depends only on the series and the step, not on which selector found the series, so the wanted
 * series come back exactly as the whole query returns them. Anything but a plain selector (functions, operators,
 * offsets, subqueries) is not narrowed, nor is a selector whose series the upstream does not list
 * (SeriesListingError): the caller reads the whole query and keeps its part.
 */
import { PromApiError } from '../errors';
import { type Cancellation, throwIfAborted } from '../query/cancellation';
import { Series, labelsKey } from './series';
import { UpstreamHttp } from './upstreamHttp';

/** How far a Prometheus range query looks back from a step for a sample (Prometheus' default lookback delta). */
export const SELECTION_LOOKBACK_MS = 5 * 60_000;
/** Values in one selector's regex: long enough to be few requests, short enough for any server's query limit. */
const MAX_VALUES_PER_SELECTOR = 500;
/** Range queries one narrowed fetch sends at once. */
const CONCURRENT_SELECTORS = 4;

const NAME = /^[A-Za-z_:][A-Za-z0-9_:]*/;

/**
 * Whether `expression` is a plain instant-vector selector: `name`, `name{...}` or `{...}`, nothing around it (no
 * range, offset, `@`, function or operator).
 */
export function isPlainSelector(expression: string): boolean {
  const text = expression.trim();
  const name = NAME.exec(text)?.[0] ?? '';
  if (/^(inf|nan)$/i.test(name)) {
    return false; // number literals
  }
  const rest = text.slice(name.length).trim();
  if (rest === '') {
    return name !== '';
  }
  if (!rest.startsWith('{')) {
    return false;
  }
  // The matchers end at the first `}` outside a string; nothing may follow it.
  let quote: string | undefined;
  for (let i = 1; i < rest.length; i++) {
    const c = rest[i];
    if (quote) {
      if (c === '\\' && quote !== '`') {
        i++;
      } else if (c === quote) {
        quote = undefined;
      }
    } else if (c === '"' || c === "'" || c === '`') {
      quote = c;
    } else if (c === '{') {
      return false;
    } else if (c === '}') {
      return rest.slice(i + 1).trim() === '';
    }
  }
  return false;
}

/**
 * The upstream did not list the series (an error, or a limit such as VictoriaMetrics' `-search.maxSeries`): the
 * caller reads the whole query instead.
 */
export class SeriesListingError extends PromApiError {}

/** The label sets of the series `selector` matches in [startMs, endMs] (GET-able as POST /api/v1/series). */
export async function listSeries(
  http: UpstreamHttp,
  selector: string,
  startMs: number,
  endMs: number,
  signal?: Cancellation
): Promise<Array<Record<string, string>>> {
  const params = new URLSearchParams({ 'match[]': selector, start: String(startMs / 1000), end: String(endMs / 1000) });
  let response;
  try {
    response = await http.send('/api/v1/series', params, 'POST', signal);
  } catch (error) {
    throw error instanceof PromApiError
      ? new SeriesListingError(error.httpStatus, error.errorType, `listing the series of ${selector}: ${error.message}`)
      : error;
  }
  let answer: { status?: string; data?: unknown; error?: string } | undefined;
  try {
    answer = JSON.parse(response.body);
  } catch {
    answer = undefined;
  }
  if (response.status >= 400 || answer?.status !== 'success' || !Array.isArray(answer.data)) {
    throw new SeriesListingError(
      response.status >= 400 ? response.status : 502,
      'execution',
      `listing the series of ${selector}: HTTP ${response.status} ${answer?.error ?? response.body.slice(0, 200)}`
    );
  }
  return answer.data as Array<Record<string, string>>;
}

/**
 * Keeps the listing of each selector between reads. A listing made over [startMs, endMs] serves a later read over
 * [s, e] when s >= startMs (it saw every series the read can see from its start) and e < endMs + refreshMs (a series
 * that appeared after endMs is missed for at most refreshMs of data time). Otherwise the upstream lists again: a read
 * reaching further back while the listing is fresh (a fit's training range) adds its series to it; a read beyond
 * the freshness replaces it (so series that went away leave it). Data time, not the wall clock: a live writer lists
 * about every refreshMs and at each fit, a backfill every refreshMs of the range it scores.
 */
export class SeriesListingCache {
  private readonly listings = new Map<
    string,
    { startMs: number; endMs: number; labels: Array<Record<string, string>> }
  >();

  constructor(
    readonly refreshMs: number,
    /** Told each time the upstream is asked to list (not when the cache serves). */
    private readonly onListed: (series: number) => void = () => undefined
  ) {}

  /** listSeries, or the kept listing where it serves. */
  readonly list: typeof listSeries = async (http, selector, startMs, endMs, signal) => {
    const key = `${http.config.url}\u0000${selector}`;
    const kept = this.listings.get(key);
    const fresh = kept !== undefined && endMs < kept.endMs + this.refreshMs;
    if (fresh && startMs >= kept.startMs) {
      return kept.labels;
    }
    const labels = await listSeries(http, selector, startMs, endMs, signal);
    this.onListed(labels.length);
    if (fresh && endMs >= kept.startMs) {
      const known = new Set(kept.labels.map(labelsKey));
      const merged = {
        startMs: Math.min(startMs, kept.startMs),
        endMs: Math.max(endMs, kept.endMs),
        labels: [...kept.labels, ...labels.filter((one) => !known.has(labelsKey(one)))],
      };
      this.listings.set(key, merged);
      return labels;
    }
    this.listings.set(key, { startMs, endMs, labels });
    return labels;
  };
}

/** RE2 text matching exactly `value`. */
function regexLiteral(value: string): string {
  return value.replace(/[\\.+*?()|[\]{}^$]/g, '\\$&');
}

/**
 * Few selectors that together match every label set of `wanted` (and perhaps series with further labels): grouped
 * by all labels but the one that leaves the fewest groups, that label's values in one regex per group.
 */
export function exactSelectors(wanted: Array<Record<string, string>>): string[] {
  if (wanted.length === 0) {
    return [];
  }
  const names = [...new Set(wanted.flatMap((labels) => Object.keys(labels)))].sort();
  const groupsBy = (varying: string) => {
    const groups = new Map<string, { fixed: Record<string, string>; values: Set<string> }>();
    for (const labels of wanted) {
      const { [varying]: value = '', ...fixed } = labels;
      const key = labelsKey(fixed);
      let group = groups.get(key);
      if (!group) {
        group = { fixed, values: new Set() };
        groups.set(key, group);
      }
      group.values.add(value);
    }
    return groups;
  };
  let best: { varying: string; groups: ReturnType<typeof groupsBy> } | undefined;
  for (const name of names) {
    const groups = groupsBy(name);
    if (!best || groups.size < best.groups.size) {
      best = { varying: name, groups };
    }
  }
  const selectors: string[] = [];
  for (const { fixed, values } of best!.groups.values()) {
    const fixedMatchers = Object.keys(fixed)
      .sort()
      .map((name) => `${name}=${JSON.stringify(fixed[name])}`);
    const all = [...values].sort();
    for (let i = 0; i < all.length; i += MAX_VALUES_PER_SELECTOR) {
      const part = all.slice(i, i + MAX_VALUES_PER_SELECTOR);
      const varying =
        part.length === 1
          ? `${best!.varying}=${JSON.stringify(part[0])}`
          : `${best!.varying}=~${JSON.stringify(part.map(regexLiteral).join('|'))}`;
      selectors.push(`{${[...fixedMatchers, varying].join(', ')}}`);
    }
  }
  return selectors;
}

/**
 * The series of the plain selector `selector` over the range that `keeps` accepts, reading only those from the
 * upstream; `read` runs one range query (the caller's own, with its chunking and parsing).
 */
export async function readSelectedSeries(
  http: UpstreamHttp,
  selector: string,
  range: { startMs: number; endMs: number },
  keeps: (labels: Record<string, string>) => boolean,
  read: (selector: string) => Promise<Series[]>,
  signal?: AbortSignal,
  listing?: SeriesListingCache
): Promise<Series[]> {
  const listStart = range.startMs - SELECTION_LOOKBACK_MS;
  const listed = await (listing?.list ?? listSeries)(http, selector, listStart, range.endMs, signal);
  const wanted = listed.filter(keeps);
  const wantedKeys = new Set(wanted.map(labelsKey));
  const selectors = exactSelectors(wanted);
  const out: Series[] = [];
  for (let i = 0; i < selectors.length; i += CONCURRENT_SELECTORS) {
    throwIfAborted(signal);
    const answers = await Promise.all(selectors.slice(i, i + CONCURRENT_SELECTORS).map(read));
    for (const series of answers.flat()) {
      const key = labelsKey(series.labels);
      if (wantedKeys.delete(key)) {
        out.push(series); // each once, though a series with further labels may match another group's selector too
      }
    }
  }
  return out;
}
