/** Fetching the series an anomaly query wraps, from its upstream, within the limits on samples and series. */
import type { Limits } from '../config';
import { PromApiError } from '../errors';
import { influxQuery } from '../upstreams/influxUpstream';
import {
  SeriesListingCache,
  SeriesListingError,
  isPlainSelector,
  readSelectedSeries,
} from '../upstreams/prometheusSelection';
import { prometheusQueryRange, prometheusSeriesCount } from '../upstreams/prometheusUpstream';
import { labelsKey, type Series } from '../upstreams/series';
import type { UpstreamHttp } from '../upstreams/upstreamHttp';
import type { EngineThreads } from '../training/trainingPool';
import type { AnomalyQuery } from './anomalyQuery';
import { checkSampleCount, checkSamplesFetched, influxqlLimits } from './costLimits';
import { checkPromqlCost, checkSubquerySeries } from './promqlCost';
import { placedParseError } from './placedParseError';

/**
 * Only the series whose labels `keeps` accepts are wanted (a writer shard's units). A PromQL plain selector is then
 * narrowed at the source (prometheusSelection.ts: only those series are read); any other query is read whole and
 * its other series dropped here.
 */
export interface SeriesSelection {
  keeps(labels: Record<string, string>): boolean;
}

/** How one fetch runs: cancellation, where answers are parsed, which series are wanted, who counts the points. */
export interface FetchOptions {
  signal?: AbortSignal;
  /** Where a large answer is parsed: a worker thread (EngineThreads.parseMatrix), or here. */
  parseMatrix?: EngineThreads['parseMatrix'];
  selection?: SeriesSelection;
  /** Told the points (samples of all series) the upstream returned. */
  onPointsRead?(points: number): void;
  /** Told why a selection was not narrowed at the source although its query is a plain selector. */
  onReadWhole?(reason: string): void;
  /** Where a narrowed selection keeps its series listing between reads [none: it lists on every read]. */
  seriesListing?: SeriesListingCache;
  /**
   * Told each chunk's wanted series as it is read (the first chunk of a long fetch is short: FIRST_CHUNK_POINTS);
   * may throw to refuse the fetch before the rest is read (a limit on series x points).
   */
  onSeriesRead?(series: Series[]): void;
}

/** The wrapped query's series over [startMs, endMs] at `stepMs`, without empty ones; refused beyond the limits. */
export async function fetchSeries(
  upstream: UpstreamHttp,
  query: AnomalyQuery,
  range: { startMs: number; endMs: number; stepMs: number },
  limits: Limits,
  { signal, parseMatrix, selection, onPointsRead, onReadWhole, seriesListing, onSeriesRead }: FetchOptions = {}
): Promise<Series[]> {
  const inner = query.inner;
  const { startMs, endMs, stepMs } = range;
  if (inner.language === 'promql') {
    // Subqueries too expensive for this fetch are refused before the upstream is asked anything.
    checkPromqlCost(inner.expression, inner.offset, range, limits);
    // And over all the series they apply to: their operands' series counted first when they are long.
    await checkSubquerySeries(inner.expression, inner.offset, range, limits, (selector, window) =>
      prometheusSeriesCount(upstream, selector, window, signal)
    );
  }
  // The samples of the wanted series, counted chunk by chunk: a fetch over limits.maxSamplesPerQuery stops at the chunk
  // that passes it rather than reading (and holding) up to MAX_REQUESTS_PER_FETCH answers first.
  let samplesRead = 0;
  const seen = new Set<string>();
  const countChunk = (chunk: Series[]) => {
    const wanted = selection ? chunk.filter((one) => selection.keeps(one.labels)) : chunk;
    for (const one of wanted) {
      samplesRead += one.timestamps.length;
      if (one.timestamps.length > 0) {
        seen.add(labelsKey(one.labels));
      }
    }
    checkSampleCount(samplesRead, limits);
    checkSeriesCount(seen.size, limits);
    onSeriesRead?.(wanted);
  };
  const read = (expression: string) =>
    prometheusQueryRange(upstream, expression, startMs, endMs, stepMs, signal, parseMatrix, countChunk);
  // The wrapped expression itself: Prometheus' parse errors of it are placed in the client's query.
  const readInner = async (expression: string, offset: number) => {
    try {
      return await read(expression);
    } catch (error) {
      throw placedParseError(error, expression, offset);
    }
  };
  let series: Series[];
  if (inner.language !== 'promql') {
    // InfluxDB computes every GROUP BY time(...) bucket of the range: no more per series than points could be read.
    const statementLimits = influxqlLimits(limits, endMs - startMs);
    const parseInflux = parseMatrix && ((body: Uint8Array[]) => parseMatrix(body, 'influx'));
    series = await influxQuery(upstream, inner.statement, startMs, endMs, stepMs, statementLimits, signal, parseInflux);
  } else if (selection && isPlainSelector(inner.expression)) {
    try {
      series = await readSelectedSeries(
        upstream,
        inner.expression,
        range,
        selection.keeps,
        read,
        signal,
        seriesListing
      );
    } catch (error) {
      if (!(error instanceof SeriesListingError)) {
        throw error;
      }
      onReadWhole?.(error.message);
      series = await readInner(inner.expression, inner.offset);
    }
  } else {
    series = await readInner(inner.expression, inner.offset);
  }
  onPointsRead?.(series.reduce((n, s) => n + s.timestamps.length, 0));
  if (selection) {
    series = series.filter((s) => selection.keeps(s.labels));
  }
  checkSamplesFetched(series, limits);
  const nonEmpty = series.filter((s) => s.timestamps.length > 0);
  checkSeriesCount(nonEmpty.length, limits);
  checkLabelCharacters(nonEmpty);
  return nonEmpty;
}

function checkSeriesCount(count: number, limits: Limits): void {
  if (count > limits.maxSeriesPerQuery) {
    throw new PromApiError(
      422,
      'execution',
      `the wrapped query returned ${count} series; at most ${limits.maxSeriesPerQuery} can be scored (limits.maxSeriesPerQuery): narrow it with label matchers`
    );
  }
}

/**
 * Characters of one series' label names and values an anomaly query scores at most. A model, its cache entries and
 * its answer carry the labels, so label_replace(…) can make one query's models megabytes each and push every other
 * model out of modelCache.maxBytes (a review: 60 queries of ~7 MB label sets evicted 2 160 models). Real series
 * hold well under 1 KB; Prometheus' own scrape limits are far below this too.
 */
export const MAX_SERIES_LABEL_CHARACTERS = 16_384;

function checkLabelCharacters(series: Series[]): void {
  for (const { labels } of series) {
    let characters = 0;
    for (const name in labels) {
      characters += name.length + labels[name].length;
    }
    if (characters > MAX_SERIES_LABEL_CHARACTERS) {
      throw new PromApiError(
        422,
        'execution',
        `a series of the wrapped query has ${characters} characters of labels; at most ${MAX_SERIES_LABEL_CHARACTERS} ` +
          'can be scored'
      );
    }
  }
}
