/**
 * The newest sample a PromQL job's input holds: where its runs stop. A range query answers a step after the newest
 * sample with that sample again (Prometheus' 5-minute lookback; a range function over what its range still holds),
 * so a run whose end is past it (a clock ahead, an input that stopped) would write scores where no input exists yet,
 * and a sample arriving later for those times would never be scored. Read, per selector of the query, as the resume
 * reads the target: the time of the last raw sample (`timestamp()` of the bare selector), the largest over all
 * series, over windows growing back from the end until one holds a sample.
 */
import { LOOKBACK_MS, selectorsOf, tokenize, type UpstreamHttp } from '@telemetry-analyzer/query';
import { instantQuery, lastSampleQuery } from './resume';

/**
 * The series selectors of a PromQL expression (`name`, `name{…}`, `{…}`, without a range's `[…]`), as written: the
 * proxy's cost check reads them the same way (selectorsOf). None: the expression reads no series (`1+1`, `time()`),
 * or it does not lex (the upstream refuses it with its own words).
 */
export function seriesSelectors(expression: string): string[] {
  try {
    return selectorsOf(tokenize(expression), expression);
  } catch {
    return [];
  }
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
