/**
 * What the wrapped PromQL of an anomaly query makes Prometheus compute, checked before the proxy sends it (with its
 * own credentials) as range queries at the anomaly step over the training and scored ranges.
 *
 * Prometheus evaluates a subquery `expr[range:resolution]` by evaluating `expr` at every resolution step across the
 * request's span plus the range (plus the ranges of the subqueries around it), and preallocates those points per
 * series before query.max-samples is checked: `max_over_time(m[3d:1ms])` made Prometheus 2.42 allocate 207 GB and
 * exit. Range selectors `m[range]` are bounded by Prometheus itself (query.max-samples counts the samples they load,
 * query.timeout the time), so only their absurd durations are refused here. Plain PromQL passed through gets the
 * evaluations bound (and the absurd times) too, over its own request's range: `max_over_time(m[30d:1ms])` alone
 * made Prometheus 2.42 exit (62 GB asked for), with the proxy's credentials.
 *
 * The expression is read with the grammar's PromQL lexer (strings in every quote kind with escapes, comments,
 * durations like `1h30m`); a `[...]` holding ":" that is not a readable subquery is refused (fail closed), other
 * syntax is left to Prometheus.
 */
import type { Limits } from '../config';
import { PromApiError, QueryParseError, badData } from '../errors';
import { describeMs } from '../time';
import { type Token, durationTokenMs, promqlNumber, tokenize } from './lexer';
import { MAX_ABS_TIME_MS } from './costLimits';
import {
  SERIES_MAKING_CALLS,
  VALUE_SERIES_CALLS,
  callsOf,
  operandUnbounded,
  type SelectorSpan,
  readWindow,
  selectorSpansOf,
} from './operandSelectors';

/**
 * The resolution assumed for a subquery written without one (`[1h:]`): Prometheus uses its global
 * evaluation_interval, 1m by default but 15s in Prometheus' example configuration and in this project's
 * deploy/prometheus.yml; VictoriaMetrics uses the query step. The smallest of these is assumed (with the step), so
 * the estimate is not low for either server as usually configured.
 */
export const ASSUMED_EVALUATION_INTERVAL_MS = 15_000;

/** A fetch of the wrapped query: the span of its range queries and their step, ms. */
export interface PromqlFetch {
  startMs: number;
  endMs: number;
  stepMs: number;
}

interface Subquery {
  /** Token index of the "[" and of the first token of the expression it applies to. */
  bracket: number;
  operandStart: number;
  text: string;
  position: number;
  rangeMs: number;
  resolutionMs: number;
}

/**
 * Refuses (400 bad_data, naming the char position in the whole query and the limit) a PromQL expression whose
 * subqueries would make Prometheus compute too much over `fetch`, or whose durations and `@` times are absurd.
 * `offset` is the 0-based position of the expression in the query. Throws nothing but PromApiError.
 *
 * - Points per series one subquery makes Prometheus hold: (span + enclosing ranges + range) / resolution, since
 *   Prometheus evaluates a subquery's expression once across the whole span (not per step). Wrapped expressions: at
 *   most limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries (all the points a series can bring the proxy).
 *   Plain queries: at most limits.maxSamplesPerQuery (their points go to the client, not to a model; yet
 *   `max_over_time(m[1s:1ms])` at step=30d made Prometheus evaluate 2.6 billion steps).
 * - Evaluations per series: the fetch's steps x range/resolution, multiplied through nested subqueries, at most
 *   limits.maxSamplesPerQuery (the samples the whole query may fetch). Both scopes.
 */
export function checkPromqlCost(
  expression: string,
  offset: number,
  fetch: PromqlFetch,
  limits: Limits,
  scope: 'wrapped' | 'plain' = 'wrapped'
): void {
  let tokens: Token[];
  try {
    tokens = tokenize(expression);
  } catch (error) {
    if (error instanceof PromApiError) {
      return; // a lexical error is Prometheus' to report (the whole query was lexed already)
    }
    throw error;
  }
  checkPromqlTokensCost(tokens, offset, fetch, limits, scope);
}

/** checkPromqlCost of an expression already lexed (a plain query's tokens from parseQuery: lexed once). */
export function checkPromqlTokensCost(
  tokens: Token[],
  offset: number,
  fetch: PromqlFetch,
  limits: Limits,
  scope: 'wrapped' | 'plain' = 'wrapped'
): void {
  const at = (token: Token) => offset + token.offset + 1;
  checkAbsurdTimes(tokens, at);
  const subqueries = findSubqueries(tokens, at);
  const spanMs = Math.max(0, fetch.endMs - fetch.startMs);
  const steps = Math.floor(spanMs / fetch.stepMs) + 1;
  const maxPoints =
    scope === 'wrapped' ? limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries : limits.maxSamplesPerQuery;
  const maxPointsNamed =
    scope === 'wrapped' ? 'limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries' : 'limits.maxSamplesPerQuery';
  for (const sub of subqueries) {
    // Its series are the values it meets, one more at each step of the subquery: none of the bounds here holds it.
    if (callsOf(tokens, sub.operandStart, sub.bracket - 1, VALUE_SERIES_CALLS) > 0) {
      throw badData(
        `subquery ${sub.text} at char ${sub.position}: count_values inside a subquery makes a series of every value ` +
          "it meets, at every step; apply count_values to the subquery's result instead"
      );
    }
    const resolutionMs = resolutionOf(sub, fetch.stepMs);
    const enclosing = enclosingOf(sub, subqueries);
    const { reachMs, points } = stepsPerSeries(sub, enclosing, spanMs, fetch.stepMs);
    const shown = `subquery ${sub.text} at char ${sub.position}`;
    if (!(points <= maxPoints)) {
      throw badData(
        `${shown} would have the upstream evaluate its expression at ${points} steps per series ` +
          `(${describeMs(reachMs)} fetched and looked back / resolution ${describeMs(resolutionMs)}); at most ${maxPoints} ` +
          `(${maxPointsNamed}): coarsen its resolution or shorten its range`
      );
    }
    const perStep = [sub, ...enclosing].reduce(
      (product, one) => product * Math.max(1, Math.ceil(one.rangeMs / resolutionOf(one, fetch.stepMs))),
      1
    );
    const evaluations = steps * perStep;
    if (!(evaluations <= limits.maxSamplesPerQuery)) {
      throw badData(
        `${shown} would have the upstream evaluate ${evaluations} samples per series ` +
          `(${steps} steps of ${describeMs(fetch.stepMs)} x ${perStep} per step${enclosing.length > 0 ? ', nested subqueries multiplied' : ''}); ` +
          `at most ${limits.maxSamplesPerQuery} (limits.maxSamplesPerQuery): coarsen its resolution, shorten its range or raise step=`
      );
    }
  }
}

/** The subqueries whose operand holds `sub`. */
function enclosingOf(sub: Subquery, subqueries: Subquery[]): Subquery[] {
  return subqueries.filter((outer) => outer.operandStart <= sub.bracket && sub.bracket < outer.bracket);
}

/** The steps a subquery's expression is evaluated at, per series: (span + its and enclosing ranges) / resolution. */
function stepsPerSeries(sub: Subquery, enclosing: Subquery[], spanMs: number, stepMs: number) {
  const reachMs = spanMs + sub.rangeMs + enclosing.reduce((sum, outer) => sum + outer.rangeMs, 0);
  return { reachMs, points: Math.floor(reachMs / resolutionOf(sub, stepMs)) + 1 };
}

/**
 * Refuses (400 bad_data) a PromQL expression with a subquery whose steps over all the series it applies to pass
 * limits.maxSamplesPerQuery. checkPromqlCost bounds each subquery per series; Prometheus holds the steps of every
 * series its operand yields, and its own query.max-samples does not stop that: an attack review's
 * `count_over_time({__name__=~"prometheus_http.*"}[1000s:1ms])` (74 series x 1 M steps) took Prometheus 2.42 from 52
 * MB to 1.7 GB, within the per-series bound. So a subquery of more than limits.maxPointsPerSeries steps per series
 * (more than one range query may bring a series) has its operand's series bounded first: the series its selectors
 * match over the window the whole expression can read (operandSelectors.ts; `countSeries`, which lists them),
 * innermost subquery first. Counting the operand itself at one instant could be steered: filtered on time(), it
 * yielded nothing there and every series at the subquery's other steps. Call after checkPromqlCost.
 *
 * Each listing is a request to the upstream, so before any: an operand of more than MAX_COUNTED_SELECTORS selectors
 * is refused, a distinct selector is listed once per call (its count added for every time an operand reads it), and
 * an expression needing more than MAX_SERIES_LISTINGS listings is refused at the first selector past them; an
 * expression the upstream certainly refuses (unbalanced brackets, an operator without its right operand) is refused
 * too (checkBalanced). An attack review's 64 subqueries of 16 selectors each, with a trailing `+`, made 1 024
 * listings (2.3 CPU-s of Prometheus 2.42) before Prometheus' parse error.
 */
export async function checkSubquerySeries(
  expression: string,
  offset: number,
  fetch: PromqlFetch,
  limits: Limits,
  /** How many series one selector matches over `window` (one listing request). */
  countSeries: (selector: string, window: { startMs: number; endMs: number }) => Promise<number>,
  /** The expression's tokens when already lexed (a plain query's, from parseQuery): not lexed again. */
  lexed?: Token[]
): Promise<void> {
  let tokens: Token[];
  try {
    tokens = lexed ?? tokenize(expression);
  } catch (error) {
    if (error instanceof PromApiError) {
      return;
    }
    throw error;
  }
  const at = (token: Token) => offset + token.offset + 1;
  const subqueries = findSubqueries(tokens, at);
  const spanMs = Math.max(0, fetch.endMs - fetch.startMs);
  // The long subqueries and what each reads, judged before anything is listed. An inner subquery's "[" comes before
  // its outer one's: ascending, the innermost are counted first.
  const long: Array<{ sub: Subquery; points: number; selectors: string[]; made: number }> = [];
  // Each distinct selector (its tokens' text: spacing aside) and its source text, in the order first read.
  const distinct = new Map<string, string>();
  for (const sub of [...subqueries].sort((a, b) => a.bracket - b.bracket)) {
    const { points } = stepsPerSeries(sub, enclosingOf(sub, subqueries), spanMs, fetch.stepMs);
    if (points <= limits.maxPointsPerSeries) {
      continue;
    }
    if (long.length === 0) {
      checkBalanced(tokens, at);
    }
    const unbounded = operandUnbounded(tokens, sub.operandStart, sub.bracket - 1);
    if (unbounded) {
      throw badData(
        `subquery ${sub.text} at char ${sub.position}: its expression's series cannot be bounded before it is sent ` +
          `(${unbounded}); shorten the subquery to at most ${limits.maxPointsPerSeries} steps per series`
      );
    }
    const spans = selectorSpansOf(tokens, expression, sub.operandStart, sub.bracket - 1);
    if (spans.length > MAX_COUNTED_SELECTORS) {
      throw badData(
        `subquery ${sub.text} at char ${sub.position}: its expression reads ${spans.length} selectors, whose ` +
          `series the proxy counts before sending a long subquery; at most ${MAX_COUNTED_SELECTORS}`
      );
    }
    const selectors = spans.map((span) => selectorKey(tokens, span));
    spans.forEach((span, k) => {
      if (distinct.has(selectors[k])) {
        return;
      }
      if (distinct.size === MAX_SERIES_LISTINGS) {
        throw badData(
          `selector ${shortened(span.text)} at char ${at(tokens[span.first])}: long subqueries reading more than ` +
            `${MAX_SERIES_LISTINGS} distinct selectors, whose series the proxy lists before sending them (a request ` +
            `each); at most ${MAX_SERIES_LISTINGS}: read fewer distinct selectors, or shorten the subqueries to at most ` +
            `${limits.maxPointsPerSeries} steps per series`
        );
      }
      distinct.set(selectors[k], span.text);
    });
    // And a series of each vector() or absent() of its own; with neither, one (a scalar made a vector).
    const made = callsOf(tokens, sub.operandStart, sub.bracket - 1, SERIES_MAKING_CALLS);
    long.push({ sub, points, selectors, made });
  }
  // Read only when a selector is listed (most plain queries list none).
  let window: { startMs: number; endMs: number } | undefined;
  const counts = new Map<string, number>();
  for (const { sub, points, selectors, made } of long) {
    let series = Math.max(made, selectors.length === 0 ? 1 : 0);
    for (const key of selectors) {
      let count = counts.get(key);
      if (count === undefined) {
        count = await countSeries(distinct.get(key)!, (window ??= readWindow(tokens, fetch)));
        counts.set(key, count);
      }
      series += count;
    }
    if (!(series * points <= limits.maxSamplesPerQuery)) {
      throw badData(
        `subquery ${sub.text} at char ${sub.position} would have the upstream hold ${series} series x ${points} ` +
          `steps (${series * points} points); at most ${limits.maxSamplesPerQuery} (limits.maxSamplesPerQuery): ` +
          'select fewer series, coarsen its resolution or shorten its range'
      );
    }
  }
}

/**
 * Subqueries one expression may hold. Each is checked against every other (nesting) and its operand read, so their
 * number bounds the check's work: 2 000 chained or nested in a 16 KB query took the event loop ~0.3 s a request (an
 * attack review). Queries people write hold a few.
 */
export const MAX_SUBQUERIES = 64;

/** Selectors of a long subquery's expression whose series are counted (a listing request each); more are refused. */
export const MAX_COUNTED_SELECTORS = 16;

/**
 * Distinct selectors listed for the long subqueries of one expression (checkSubquerySeries: one listing request
 * each, before the query is sent); an expression needing more is refused. Queries people write read a few.
 */
export const MAX_SERIES_LISTINGS = 64;

/** A selector's identity: its tokens' text (strings by their value), so spacing and comments do not make it new. */
function selectorKey(tokens: Token[], span: SelectorSpan): string {
  const parts: string[] = [];
  for (let i = span.first; i <= span.last; i++) {
    const token = tokens[i];
    parts.push(token.type === 'string' ? JSON.stringify(token.stringValue ?? token.text) : token.text);
  }
  return parts.join(' ');
}

function shortened(text: string): string {
  return text.length > 200 ? `${text.slice(0, 200)}…` : text;
}

const CLOSERS = new Map([
  [')', '('],
  ['}', '{'],
  [']', '['],
]);
const BINARY_OPERATORS = new Set(['+', '-', '*', '/', '%', '^', '==', '!=', '>=', '<=', '>', '<']);

/**
 * Refuses (a parse error at its char) an expression no PromQL parser accepts, as far as its tokens alone show: a
 * bracket closed by another kind or never opened, one left open, an arithmetic or comparison operator with nothing
 * after it (the expression's end, or a closing bracket), and an expression ending in any punctuation but a closing
 * bracket. Not a parser: the rest of PromQL's syntax is the upstream's to judge. Called before the listings of
 * checkSubquerySeries, so a query the upstream would refuse costs it none.
 */
function checkBalanced(tokens: Token[], at: (token: Token) => number): void {
  const open: Token[] = [];
  let last: Token | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type === 'end') {
      break;
    }
    last = token;
    if (token.type !== 'punctuation') {
      continue;
    }
    if (token.text === '(' || token.text === '{' || token.text === '[') {
      open.push(token);
    } else if (CLOSERS.has(token.text)) {
      const opener = open.pop();
      if (opener?.text !== CLOSERS.get(token.text)) {
        throw new QueryParseError(
          at(token),
          opener
            ? `unexpected "${token.text}": "${opener.text}" at char ${at(opener)} is not closed`
            : `unexpected "${token.text}": no "${CLOSERS.get(token.text)}" is open`
        );
      }
    } else if (BINARY_OPERATORS.has(token.text)) {
      const next = tokens[i + 1];
      if (next?.type === 'punctuation' && CLOSERS.has(next.text)) {
        throw new QueryParseError(at(next), `unexpected "${next.text}": "${token.text}" has no operand after it`);
      }
    }
  }
  if (open.length > 0) {
    const opener = open[open.length - 1];
    throw new QueryParseError(at(opener), `unclosed "${opener.text}"`);
  }
  if (last?.type === 'punctuation' && !CLOSERS.has(last.text)) {
    throw new QueryParseError(at(last), `unexpected end of input after "${last.text}"`);
  }
}

function resolutionOf(sub: Subquery, stepMs: number): number {
  return sub.resolutionMs > 0 ? sub.resolutionMs : Math.min(stepMs, ASSUMED_EVALUATION_INTERVAL_MS);
}

/** Every `[...]` that is a subquery, with the first token of the expression it applies to; unreadable ones refused. */
function findSubqueries(tokens: Token[], at: (token: Token) => number): Subquery[] {
  const subqueries: Subquery[] = [];
  let openers: Int32Array | undefined; // made once a subquery is found (most queries have none)
  // The next "]" after each token (-1: none), so a query of many "[" is read in linear time.
  // And the next ":", so that a "[" whose ":" comes after more tokens than are read is refused, not skipped.
  const nextClose: number[] = new Array<number>(tokens.length);
  const nextColon: number[] = new Array<number>(tokens.length);
  for (let j = tokens.length - 1, close = -1, colon = -1; j >= 0; j--) {
    nextClose[j] = close;
    nextColon[j] = colon;
    close = tokens[j].type === 'punctuation' && tokens[j].text === ']' ? j : close;
    colon = tokens[j].type === 'punctuation' && tokens[j].text === ':' ? j : colon;
  }
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i].type !== 'punctuation' || tokens[i].text !== '[') {
      continue;
    }
    const close = nextClose[i];
    const inside = tokens.slice(i + 1, close < 0 ? Math.min(tokens.length - 1, i + 5) : Math.min(close, i + 5));
    const colon = inside.findIndex((t) => t.type === 'punctuation' && t.text === ':');
    const text = `[${inside.map((t) => t.text).join('')}${close >= 0 && close <= i + 5 ? ']' : '...'}`;
    const colonBeyond = colon < 0 && close >= 0 && nextColon[i] >= 0 && nextColon[i] < close;
    const unreadable = () =>
      badData(
        `subquery ${text} at char ${at(tokens[i])}: expected [<range>:<resolution>] with durations like [1h:1m] or [1h:]`
      );
    if (colonBeyond) {
      throw unreadable();
    }
    if (colon < 0) {
      // A range selector: Prometheus bounds what it loads; only a range beyond any real time is refused.
      if (inside.length === 1 && inside[0].type === 'duration') {
        checkDuration(inside[0], `range ${text}`, at);
      }
      continue;
    }
    const [range, resolution] = [inside.slice(0, colon), inside.slice(colon + 1)];
    const readable =
      close >= 0 &&
      close - i - 1 === inside.length &&
      range.length === 1 &&
      range[0].type === 'duration' &&
      (resolution.length === 0 || (resolution.length === 1 && resolution[0].type === 'duration'));
    if (!readable) {
      throw unreadable();
    }
    checkDuration(range[0], `subquery range ${text}`, at);
    const resolutionMs = resolution.length === 1 ? durationTokenMs(resolution[0].text) : 0;
    if (resolution.length === 1) {
      checkDuration(resolution[0], `subquery resolution ${text}`, at);
      if (resolutionMs === 0) {
        throw badData(`subquery ${text} at char ${at(tokens[i])}: the resolution must be more than 0`);
      }
    }
    if (subqueries.length === MAX_SUBQUERIES) {
      throw badData(
        `subquery ${text} at char ${at(tokens[i])}: more than ${MAX_SUBQUERIES} subqueries in one expression; ` +
          'the proxy checks what each makes the upstream compute, and refuses more'
      );
    }
    subqueries.push({
      bracket: i,
      operandStart: operandStart(tokens, (openers ??= matchingOpeners(tokens)), i),
      text,
      position: at(tokens[i]),
      rangeMs: durationTokenMs(range[0].text),
      resolutionMs,
    });
  }
  return subqueries;
}

/**
 * Index of the first token of the expression a "[" at `bracket` applies to: `(...)`, `f(...)`, `m{...}`, `m`, or an
 * aggregation with its modifier after the arguments, `sum(...) by (...)`.
 */
function operandStart(tokens: Token[], openers: Int32Array, bracket: number): number {
  let i = beforeModifiers(tokens, bracket - 1);
  for (;;) {
    const closer = tokens[i];
    if (closer?.type !== 'punctuation' || (closer.text !== ')' && closer.text !== '}')) {
      break;
    }
    i = openers[i];
    if (i > 0 && tokens[i - 1].type === 'identifier') {
      i--; // the function's or metric's name
    } else if (i > 0 && tokens[i - 1].type === 'punctuation' && tokens[i - 1].text === ')') {
      // `sum by (job) (...)`: the clause before the arguments belongs to the aggregation, the operand starts at it.
      const clause = openers[i - 1];
      if (
        clause > 1 &&
        tokens[clause - 1].type === 'identifier' &&
        /^(?:by|without)$/i.test(tokens[clause - 1].text) &&
        tokens[clause - 2].type === 'identifier'
      ) {
        i = clause - 2;
      }
    }
    // `by (...)` / `without (...)` after an aggregation's arguments: the operand starts at the aggregation.
    if (i > 0 && /^(?:by|without)$/i.test(tokens[i].text) && tokens[i].type === 'identifier') {
      i--;
      continue;
    }
    break;
  }
  return Math.max(0, i);
}

/**
 * The index of the last token before the `offset d` and `@ t` modifiers (in any order) that end at `last`: the
 * operand of `m offset 1ms [1h:1m]` is `m offset 1ms`, not `1ms` (an attack review: `count(1ms)` was counted, and
 * the subquery passed unbounded).
 */
function beforeModifiers(tokens: Token[], last: number): number {
  let i = last;
  for (;;) {
    const value = tokens[i];
    // `@ start()` / `@ end()`, else a duration or a number.
    let first = i;
    if (
      value?.type === 'punctuation' &&
      value.text === ')' &&
      tokens[i - 1]?.text === '(' &&
      /^(?:start|end)$/i.test(tokens[i - 2]?.text ?? '')
    ) {
      first = i - 2;
    } else if (value?.type !== 'duration' && value?.type !== 'number') {
      return i;
    }
    let keyword = first - 1;
    if (tokens[keyword]?.type === 'punctuation' && ['-', '+'].includes(tokens[keyword].text)) {
      keyword--;
    }
    const modifier = tokens[keyword];
    const isOffset = modifier?.type === 'identifier' && modifier.text.toLowerCase() === 'offset';
    const isAt = modifier?.type === 'punctuation' && modifier.text === '@';
    if (!isOffset && !isAt) {
      return i;
    }
    i = keyword - 1;
  }
}

/**
 * For each ")" and "}" token, the index of the "(" or "{" it closes (-1: none; other tokens -1 too), in one pass: an
 * operand is then found without scanning back over it, so a query of many subqueries is read in linear time.
 */
function matchingOpeners(tokens: Token[]): Int32Array {
  const openers = new Int32Array(tokens.length).fill(-1);
  const open: Record<string, number[]> = { ')': [], '}': [] };
  tokens.forEach((token, i) => {
    if (token.type !== 'punctuation') {
      return;
    }
    if (token.text === '(' || token.text === '{') {
      open[token.text === '(' ? ')' : '}'].push(i);
    } else if (token.text === ')' || token.text === '}') {
      openers[i] = open[token.text].pop() ?? -1;
    }
  });
  return openers;
}

/** `offset d`, `@ t` and `[d]` beyond the times the proxy supports are refused, like its own times. */
function checkAbsurdTimes(tokens: Token[], at: (token: Token) => number): void {
  tokens.forEach((token, i) => {
    const isOffset = token.type === 'identifier' && token.text.toLowerCase() === 'offset';
    const isAt = token.type === 'punctuation' && token.text === '@';
    if (!isOffset && !isAt) {
      return;
    }
    const value = ['-', '+'].includes(tokens[i + 1]?.text) ? tokens[i + 2] : tokens[i + 1];
    if (isOffset && value?.type === 'duration') {
      checkDuration(value, `offset ${value.text}`, at);
    } else if (isAt && value?.type === 'number' && !(Math.abs(promqlNumber(value.text)) * 1000 <= MAX_ABS_TIME_MS)) {
      throw badData(
        `@ ${value.text} at char ${at(value)} is beyond the times the proxy supports (±${MAX_ABS_TIME_MS / 1000} s)`
      );
    }
  });
}

function checkDuration(token: Token, what: string, at: (token: Token) => number): void {
  if (!(durationTokenMs(token.text) <= MAX_ABS_TIME_MS)) {
    throw badData(`${what} at char ${at(token)} is beyond the times the proxy supports (${MAX_ABS_TIME_MS} ms)`);
  }
}
