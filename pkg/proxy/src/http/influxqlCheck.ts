/**
 * Refuses an anomaly query's InfluxQL statement before anything is fetched, unless it is one read-only SELECT within
 * the upstream's database (upstreams/influxql/readOnlySelect.ts). The error points into the query the client sent:
 * the statement's character is mapped back through the string literal's escapes.
 */
import {
  QueryParseError,
  type AnomalyQuery,
  InfluxqlError,
  checkReadOnlySelect,
  influxqlLimits,
  type Limits,
  type UpstreamHttp,
} from '@telemetry-analyzer/query';

export function checkInfluxqlOfQuery(
  source: string,
  query: AnomalyQuery,
  upstream: UpstreamHttp,
  limits: Limits
): void {
  const inner = query.inner;
  if (inner.language !== 'influxql' || !upstream.config.influx) {
    return;
  }
  try {
    checkReadOnlySelect(inner.statement, upstream.config.influx, influxqlLimits(limits));
  } catch (error) {
    if (!(error instanceof InfluxqlError)) {
      throw error;
    }
    throw new QueryParseError(
      queryOffsetOf(source, inner.offset, error.offset) + 1,
      `influxql: ${error.reason} (char ${error.offset + 1} of the statement)`
    );
  }
}

/** Offset in `source` of the statement's `index`-th character (the literal follows `influxql(` at `callOffset`). */
function queryOffsetOf(source: string, callOffset: number, index: number): number {
  const open = source.indexOf('(', callOffset);
  const literal = open < 0 ? -1 : source.slice(open + 1).search(/\S/) + open + 1;
  const quote = source[literal];
  if (literal <= open || !['"', "'", '`'].includes(quote)) {
    return callOffset;
  }
  let at = literal + 1;
  for (let decoded = 0; decoded < index && at < source.length; decoded++) {
    at += quote !== '`' && source[at] === '\\' ? 2 : 1;
  }
  return at;
}
