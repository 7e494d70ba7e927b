/**
 * What a PromQL expression can read: its instant-vector selectors, and the time window every sample it reads lies
 * in. A long subquery's cost is its steps times its operand's series (promqlCost's checkSubquerySeries), and the
 * series an operand yields at any of its steps are at most those its selectors match over that window (PromQL's
 * operators never multiply series: one-to-one and group_left/group_right matching keep at most one side's,
 * `or` adds both, aggregations and functions keep or reduce them), so their sum bounds the operand. Counting the
 * operand itself at one instant did not: an operand filtered on time() yields nothing at that instant and every
 * series at the others (an attack review).
 *
 * Read on the lexer's tokens, as Prometheus' grammar places them: label names inside `{...}` and inside the
 * `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` lists are not selectors; nor are functions (a name
 * followed by `(`), aggregation operators (keywords, even before `by`), set and comparison keywords, `offset`,
 * `bool`, and the number literals `inf`/`nan`.
 */
import { type Token, durationTokenMs } from './lexer';

/** Prometheus' default lookback: an instant selector reads the last sample up to 5 minutes before each step. */
export const LOOKBACK_MS = 5 * 60_000;

/**
 * Keywords that are never a selector (Prometheus 2's lexer: aggregators, binary keywords, modifiers, literals).
 * Newer aggregators (`limitk`) are metric names to Prometheus 2, and read as selectors here: an extra listing at
 * worst, never a selector missed.
 */
const KEYWORDS = new Set([
  'sum',
  'avg',
  'count',
  'min',
  'max',
  'group',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'count_values',
  'quantile',
  'and',
  'or',
  'unless',
  'atan2',
  'offset',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

/** Keywords whose `( ... )` that follows is a list of label names. */
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);

const isPunctuation = (token: Token | undefined, text: string) => token?.type === 'punctuation' && token.text === text;

/** Index of the token closing the bracket opened at `open` (its last token when unclosed: Prometheus refuses that). */
function closing(tokens: Token[], open: number, last: number): number {
  const opener = tokens[open].text;
  const closer = opener === '(' ? ')' : opener === '{' ? '}' : ']';
  let depth = 0;
  for (let i = open; i <= last; i++) {
    if (isPunctuation(tokens[i], opener)) {
      depth++;
    } else if (isPunctuation(tokens[i], closer) && --depth === 0) {
      return i;
    }
  }
  return last;
}

/**
 * The selectors (`name`, `name{...}`, `{...}`) of tokens [first, last] of `source`, in the order written, as their
 * source text; a range selector's `[...]` is not part of it (the same series).
 */
export function selectorsOf(tokens: Token[], source: string, first = 0, last = tokens.length - 1): string[] {
  const selectors: string[] = [];
  for (let i = first; i <= last; i++) {
    const token = tokens[i];
    if (token.type === 'identifier') {
      const word = token.text.toLowerCase();
      if (LABEL_LISTS.has(word) && isPunctuation(tokens[i + 1], '(')) {
        i = closing(tokens, i + 1, last);
        continue;
      }
      if (KEYWORDS.has(word) || isPunctuation(tokens[i + 1], '(')) {
        continue; // a keyword, or a function's name
      }
      const end = isPunctuation(tokens[i + 1], '{') ? closing(tokens, i + 1, last) : i;
      selectors.push(source.slice(token.offset, tokens[end].offset + tokens[end].text.length));
      i = end;
    } else if (isPunctuation(token, '{')) {
      const end = closing(tokens, i, last);
      selectors.push(source.slice(token.offset, tokens[end].offset + tokens[end].text.length));
      i = end;
    }
  }
  return selectors;
}

/**
 * The window every sample read by an expression evaluated over [startMs, endMs] lies in: widened by every duration
 * the expression writes, added up (ranges, subquery ranges and resolutions, offsets: no path through it adds more),
 * and Prometheus' lookback, from the earliest and the latest time it is evaluated at (`@` times included).
 */
export function readWindow(
  tokens: Token[],
  fetch: { startMs: number; endMs: number }
): { startMs: number; endMs: number } {
  let durations = 0;
  let earliest = fetch.startMs;
  let latest = fetch.endMs;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type === 'duration') {
      durations += durationTokenMs(token.text);
    } else if (isPunctuation(token, '@')) {
      // `@ <unix seconds>`, signed; `@ start()` / `@ end()` are the fetch's own ends.
      const sign = isPunctuation(tokens[i + 1], '-') ? -1 : 1;
      const value = tokens[i + (sign < 0 || isPunctuation(tokens[i + 1], '+') ? 2 : 1)];
      if (value?.type === 'number') {
        const ms = sign * Number(value.text) * 1000;
        if (Number.isFinite(ms)) {
          earliest = Math.min(earliest, ms);
          latest = Math.max(latest, ms);
        }
      }
    }
  }
  return { startMs: earliest - durations - LOOKBACK_MS, endMs: latest + durations };
}
