/**
 * What a PromQL expression can read: its instant-vector selectors, and the time window every sample it reads lies
 * in. A long subquery's cost is its steps times its operand's series (promqlCost's checkSubquerySeries), and the
 * series an operand yields at any of its steps are at most those its selectors match over that window (PromQL's
 * operators do not multiply series: one-to-one matching, and group_left/group_right without labels to copy, keep
 * at most one side's, `or` adds both, aggregations and functions keep or reduce them; the exceptions are refused
 * below), so their sum bounds the operand. Counting the
 * operand itself at one instant did not: an operand filtered on time() yields nothing at that instant and every
 * series at the others (an attack review).
 *
 * Prometheus holds a subquery's steps for every distinct series its operand yields over all its steps, so two
 * constructs that make series the selectors do not bound are refused: `count_values`, whose series are its values
 * (VALUE_SERIES_CALLS, in any subquery), and in a counted operand `group_left(...)` / `group_right(...)` with labels,
 * which copy the other side's labels (operandUnbounded). A `vector(...)` or `absent(...)` call yields a series of
 * its own: one each (SERIES_MAKING_CALLS).
 *
 * Read on the lexer's tokens, as Prometheus' grammar places them: label names inside `{...}` and inside the
 * `by`/`without`/`on`/`ignoring`/`group_left`/`group_right` lists are not selectors; nor are functions (a name
 * followed by `(`), aggregation operators (followed by `(`, `by` or `without`), set keywords and modifiers where
 * they are operators, and the number literals `inf`/`nan`. Prometheus 2's grammar takes these keywords as metric
 * names elsewhere (`count offset 1m`, `(up or by)`): there they are read as selectors.
 */
import { type Token, durationTokenMs, promqlNumber } from './lexer';

/** Prometheus' default lookback: an instant selector reads the last sample up to 5 minutes before each step. */
export const LOOKBACK_MS = 5 * 60_000;

/** Aggregation operators: a metric name where no `(`, `by` or `without` follows (Prometheus 2's grammar). */
const AGGREGATORS = new Set([
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
]);

/**
 * Binary keywords and modifiers: a metric name only where an operand is expected (first, after `(`, `,`, an
 * operator or a set keyword). Newer aggregators (`limitk`) are metric names to Prometheus 2 and read as selectors
 * (followed by `(`: as functions): an extra listing at worst, never a selector missed.
 */
const OPERATOR_WORDS = new Set([
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
]);

/** Number literals (`inf`, `nan`): never a metric name. */
const NUMBER_WORDS = new Set(['inf', 'nan']);

/** Keywords after which an operand is expected (the set operators and atan2). */
const SET_WORDS = new Set(['and', 'or', 'unless', 'atan2']);

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

/** Whether token `i` stands where an operand is expected: first in [first, ...], or after `(`, `,`, an operator. */
function atOperand(tokens: Token[], i: number, first: number): boolean {
  if (i === first) {
    return true;
  }
  const before = tokens[i - 1];
  if (before.type === 'identifier') {
    return SET_WORDS.has(before.text.toLowerCase());
  }
  return before.type === 'punctuation' && !['}', ')', ']'].includes(before.text);
}

/** Whether identifier token `i` is a metric name (a selector's start) rather than a function, keyword or literal. */
function isMetricName(tokens: Token[], i: number, first: number): boolean {
  const word = tokens[i].text.toLowerCase();
  const next = tokens[i + 1];
  if (isPunctuation(next, '(') || NUMBER_WORDS.has(word)) {
    return false; // a function, an aggregation, a label list; a number
  }
  if (AGGREGATORS.has(word)) {
    return !(next?.type === 'identifier' && /^(?:by|without)$/i.test(next.text));
  }
  if (word === 'bool' && i > first && ['==', '!=', '>', '<', '>=', '<='].includes(tokens[i - 1].text)) {
    return false; // the comparison's modifier
  }
  if (OPERATOR_WORDS.has(word)) {
    return atOperand(tokens, i, first);
  }
  return true;
}

/** A selector of an expression: its source text and the indexes of its first and last tokens. */
export interface SelectorSpan {
  text: string;
  first: number;
  last: number;
}

/**
 * The selectors (`name`, `name{...}`, `{...}`) of tokens [first, last] of `source`, in the order written, as their
 * source text; a range selector's `[...]` is not part of it (the same series).
 */
export function selectorsOf(tokens: Token[], source: string, first = 0, last = tokens.length - 1): string[] {
  return selectorSpansOf(tokens, source, first, last).map((span) => span.text);
}

/** selectorsOf, with where each selector is: its first and last token. */
export function selectorSpansOf(tokens: Token[], source: string, first = 0, last = tokens.length - 1): SelectorSpan[] {
  const selectors: SelectorSpan[] = [];
  const push = (start: number, end: number) =>
    selectors.push({
      text: source.slice(tokens[start].offset, tokens[end].offset + tokens[end].text.length),
      first: start,
      last: end,
    });
  for (let i = first; i <= last; i++) {
    const token = tokens[i];
    if (token.type === 'identifier') {
      if (LABEL_LISTS.has(token.text.toLowerCase()) && isPunctuation(tokens[i + 1], '(')) {
        i = closing(tokens, i + 1, last);
        continue;
      }
      if (!isMetricName(tokens, i, first)) {
        continue;
      }
      const end = isPunctuation(tokens[i + 1], '{') ? closing(tokens, i + 1, last) : i;
      push(i, end);
      i = end;
    } else if (isPunctuation(token, '{')) {
      const end = closing(tokens, i, last);
      push(i, end);
      i = end;
    }
  }
  return selectors;
}

/** Calls in tokens [first, last] of a function whose name matches `name` (`name(`; any case). */
export function callsOf(tokens: Token[], first: number, last: number, name: RegExp): number {
  let calls = 0;
  for (let i = first; i <= last; i++) {
    calls += tokens[i].type === 'identifier' && name.test(tokens[i].text) && isPunctuation(tokens[i + 1], '(') ? 1 : 0;
  }
  return calls;
}

/** Calls that yield a series of their own, whatever their argument. */
export const SERIES_MAKING_CALLS = /^(?:vector|absent|absent_over_time)$/i;

/** A call whose series are the values it meets (refused in any subquery: promqlCost). */
export const VALUE_SERIES_CALLS = /^count_values$/i;

/**
 * What in tokens [first, last] copies labels the selectors do not bound, as a phrase for a refusal; undefined when
 * nothing does: `group_left(...)` / `group_right(...)` with labels (up to the product of both sides' series).
 */
export function operandUnbounded(tokens: Token[], first: number, last: number): string | undefined {
  for (let i = first; i <= last; i++) {
    const word = tokens[i].text.toLowerCase();
    if (
      tokens[i].type === 'identifier' &&
      (word === 'group_left' || word === 'group_right') &&
      isPunctuation(tokens[i + 1], '(') &&
      !isPunctuation(tokens[i + 2], ')')
    ) {
      return `${word}(...) copies labels from the other side: up to the product of both sides' series`;
    }
  }
  return undefined;
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
        const ms = sign * promqlNumber(value.text) * 1000;
        if (Number.isFinite(ms)) {
          earliest = Math.min(earliest, ms);
          latest = Math.max(latest, ms);
        }
      }
    }
  }
  return { startMs: earliest - durations - LOOKBACK_MS, endMs: latest + durations };
}
