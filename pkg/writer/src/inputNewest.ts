/**
 * The newest sample a PromQL job's input holds: where its runs stop. A range query answers a step after the newest
 * sample with that sample again (Prometheus' 5-minute lookback; a range function over what its range still holds),
 * so a run whose end is past it (a clock ahead, an input that stopped) would write scores where no input exists yet,
 * and a sample arriving later for those times would never be scored. Read, per selector of the query, as the resume
 * reads the target: the time of the last raw sample (`timestamp()` of the bare selector), the largest over all
 * series, over windows growing back from the end until one holds a sample.
 */
import { tokenize, type Token, type UpstreamHttp } from '@telemetry-analyzer/query';
import { instantQuery, lastSampleQuery } from './resume';

/** Prometheus' default lookback: a step after the newest sample repeats it for this long. */
const LOOKBACK_MS = 5 * 60_000;

const LABEL_LISTS = /^(?:by|without|on|ignoring|group_left|group_right)$/i;
const AGGREGATORS = /^(?:sum|avg|count|min|max|group|stddev|stdvar|topk|bottomk|count_values|quantile)$/i;
const KEYWORDS = /^(?:bool|offset|and|or|unless|atan2|inf|nan)$/i;

const isText = (token: Token | undefined, text: string) => token?.type === 'punctuation' && token.text === text;

/** The index of the token closing the bracket at `open` (the last token when unclosed: the upstream refuses that). */
function closing(tokens: Token[], open: number): number {
  const opener = tokens[open].text;
  const closer = opener === '(' ? ')' : '}';
  let depth = 0;
  for (let i = open; i < tokens.length; i++) {
    depth += isText(tokens[i], opener) ? 1 : isText(tokens[i], closer) ? -1 : 0;
    if (depth === 0) {
      return i;
    }
  }
  return tokens.length - 1;
}

/**
 * The series selectors of a PromQL expression (`name`, `name{…}`, `{…}`, without a range's `[…]`), as written:
 * names that are no function (followed by `(`), aggregation before `by`/`without`, keyword or number, and `{…}`.
 * The labels of `by (…)` and its kind are skipped. None: the expression reads no series (`1+1`, `time()`).
 */
export function seriesSelectors(expression: string): string[] {
  let tokens: Token[];
  try {
    tokens = tokenize(expression).filter((token) => token.type !== 'end');
  } catch {
    return [];
  }
  const selectors: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    const next = tokens[i + 1];
    let end: number;
    if (token.type === 'identifier') {
      if (LABEL_LISTS.test(token.text)) {
        i = isText(next, '(') ? closing(tokens, i + 1) : i;
        continue;
      }
      const aggregation = AGGREGATORS.test(token.text) && next?.type === 'identifier' && LABEL_LISTS.test(next.text);
      if (isText(next, '(') || KEYWORDS.test(token.text) || aggregation) {
        continue;
      }
      end = isText(next, '{') ? closing(tokens, i + 1) : i;
    } else if (isText(token, '{')) {
      end = closing(tokens, i);
    } else {
      continue;
    }
    selectors.push(expression.slice(token.offset, tokens[end].offset + tokens[end].text.length));
    i = end;
  }
  return selectors;
}

/**
 * The time of the newest sample any of `selectors` matches at or before `endMs` + the lookback, looked for back to
 * `fromMs` - the lookback; undefined when there is none (nothing to score). A window of twice the lookback around
 * the end first (one short read per selector in a live run), then windows 8 times longer, back to the start.
 */
export async function newestInputSample(
  upstream: UpstreamHttp,
  selectors: string[],
  fromMs: number,
  endMs: number
): Promise<number | undefined> {
  const atMs = endMs + LOOKBACK_MS;
  const reachMs = atMs - (fromMs - LOOKBACK_MS);
  for (let windowMs = 2 * LOOKBACK_MS; ; windowMs *= 8) {
    let newest: number | undefined;
    for (const selector of selectors) {
      const read = lastSampleQuery(selector, Math.min(windowMs, reachMs), atMs);
      const failure = (text: string) => new Error(`reading the newest sample of the input, ${text}`);
      for (const series of await instantQuery(upstream, `max(${read.query})`, read.atMs, failure)) {
        const ms = Math.round(Number(series.value?.[1]) * 1000);
        newest = Number.isFinite(ms) && !(ms <= newest!) ? ms : newest;
      }
    }
    if (newest !== undefined || windowMs >= reachMs) {
      return newest;
    }
  }
}
