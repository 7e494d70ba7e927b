/**
 * Prometheus' parse error of a wrapped PromQL expression, placed in the query the client sent. Prometheus counts its
 * "line:column:" in the expression it was sent (the column in bytes from the line's start: ParseErr.Error,
 * prometheus/prometheus promql/parser/parse.go), which the client's query holds from `offset` on: passed on as it
 * came, the position pointed elsewhere in the client's query (a review: `anomaly_score(rate(m))` said 1:6, where
 * `rate` is at char 14; a line 3 error said line 2). The proxy's own parse errors name a char: this one does too.
 */
import { QueryParseError, UpstreamPassThroughError } from '../errors';

const PARSE_ERROR = /^(?:invalid parameter "query": )?(\d+):(\d+): parse error: ([\s\S]*)$/;

/**
 * The upstream's error as a QueryParseError at its char in the client's query, when it is a PromQL parse error of
 * `expression` (found at char `offset` of the query); any other error as it is.
 */
export function placedParseError(error: unknown, expression: string, offset: number): unknown {
  if (!(error instanceof UpstreamPassThroughError) || error.httpStatus !== 400) {
    return error;
  }
  let message: unknown;
  try {
    message = (JSON.parse(error.body) as { error?: unknown }).error;
  } catch {
    return error;
  }
  const match = typeof message === 'string' ? PARSE_ERROR.exec(message) : null;
  const at = match ? charAt(expression, Number(match[1]), Number(match[2])) : undefined;
  return at === undefined ? error : new QueryParseError(offset + at, match![3]);
}

/** The char index in `text` of Prometheus' 1-based line and byte column; undefined when not in it. */
function charAt(text: string, line: number, column: number): number | undefined {
  let lineStart = 0;
  for (let l = 1; l < line; l++) {
    const end = text.indexOf('\n', lineStart);
    if (end < 0) {
      return undefined;
    }
    lineStart = end + 1;
  }
  // Columns count UTF-8 bytes: walk the line's chars until that many bytes are behind.
  const encoder = new TextEncoder();
  let bytes = 0;
  let at = lineStart;
  while (bytes < column - 1 && at < text.length) {
    const width = text.codePointAt(at)! > 0xffff ? 2 : 1;
    bytes += encoder.encode(text.slice(at, at + width)).length;
    at += width;
  }
  return bytes === column - 1 ? at : undefined;
}
