/** Fetching the series an anomaly query wraps, from its upstream, within the limits on samples and series. */
import type { Limits } from '../config';
import { PromApiError } from '../errors';
import { influxQuery } from '../upstreams/influxUpstream';
import { prometheusQueryRange } from '../upstreams/prometheusUpstream';
import type { Series } from '../upstreams/series';
import type { UpstreamHttp } from '../upstreams/upstreamHttp';
import type { AnomalyQuery } from './anomalyQuery';
import { checkSamplesFetched } from './costLimits';

/** The wrapped query's series over [startMs, endMs] at `stepMs`, without empty ones; refused beyond the limits. */
export async function fetchSeries(
  upstream: UpstreamHttp,
  query: AnomalyQuery,
  range: { startMs: number; endMs: number; stepMs: number },
  limits: Limits,
  signal?: AbortSignal,
  /** Where a Prometheus answer is parsed: a worker thread (EngineThreads.parseMatrix), or here. */
  parseMatrix?: (body: string) => Promise<Series[] | undefined>
): Promise<Series[]> {
  const inner = query.inner;
  const { startMs, endMs, stepMs } = range;
  const series =
    inner.language === 'promql'
      ? await prometheusQueryRange(upstream, inner.expression, startMs, endMs, stepMs, signal, parseMatrix)
      : await influxQuery(upstream, inner.statement, startMs, endMs, stepMs, signal);
  checkSamplesFetched(series, limits);
  const nonEmpty = series.filter((s) => s.timestamps.length > 0);
  if (nonEmpty.length > limits.maxSeriesPerQuery) {
    throw new PromApiError(
      422,
      'execution',
      `the wrapped query returned ${nonEmpty.length} series; at most ${limits.maxSeriesPerQuery} can be scored (limits.maxSeriesPerQuery): narrow it with label matchers`
    );
  }
  return nonEmpty;
}
