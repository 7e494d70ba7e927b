/**
 * The only InfluxQL the proxy sends to InfluxDB: one SELECT statement (subqueries included) without INTO, reading
 * measurements of the configured database and of retention policies the config allows. It is parsed by the
 * grammar below; whatever does not parse is refused with its position, so a statement that reaches InfluxDB
 * means to InfluxDB what it meant here.
 *
 *   select     := SELECT fields FROM sources [WHERE expr] [GROUP BY dims] [fill(...)] [ORDER BY ident [ASC|DESC]]
 *                 [LIMIT int] [OFFSET int] [SLIMIT int] [SOFFSET int] [tz('...')]
 *   fields     := field ("," field)*          field := "*" ["::" ident] | expr [AS ident]
 *   sources    := source ("," source)*        source := "(" select ")" | [db "." [rp] "." | rp "."] (ident | regex)
 *   dims       := dim ("," dim)*              dim := "*" | time "(" (duration | $interval | $__interval) ["," expr] ")" | expr
 *   expr       := unary (binop unary)*        unary := ["-" | "+"] primary
 *   primary    := "(" expr ")" | call | ident ["::" ident] | string | number | duration | regex | TRUE | FALSE | macro
 *   call       := (ident | DISTINCT) "(" [arg ("," arg)*] ")"   arg := "*" | DISTINCT ident | expr
 *
 * Bounded work: the statement must have `$timeFilter` as one of its WHERE clause's AND-ed terms, or InfluxDB reads
 * (and holds for its answer) all of the measurement's history; InfluxDB 1.6 applies the outer statement's time range
 * to its subqueries too. A SELECT with `GROUP BY time(...)` makes InfluxDB compute (and with fill() send) every bucket of its
 * time range, so it must have `$timeFilter` as one of its WHERE clause's AND-ed terms (no OR beside it): its range is
 * then the query's. Given that range, a duration in time(...) may not make more buckets per series than the budget
 * (`time(1ns)` over a day is 86 400 billion buckets); a fixed `time(1m)` stays fine when a dashboard zooms out to a
 * coarser step, as long as the range holds few enough minutes. Expressions and subqueries nest at most MAX_NESTING
 * deep (the parser recurses), a statement reads from at most MAX_SOURCES measurements (names or regexes, subqueries'
 * included), and it holds at most MAX_VALUES values (fields, literals, calls): InfluxDB
 * 1.6's work on a flat chain grows faster than its length (`usage+usage+…` of 250 terms 0.3 s, 1 000 terms 5.9 s,
 * 2 000 terms 44 s, going on long after the proxy gave up).
 *
 * Numbers that multiply InfluxDB's work or output are bounded by the same limits as the points and series the proxy
 * reads (StatementLimits, from the config's limits): the N of top/bottom/sample, the windows and hold periods of
 * moving_average and its kin, holt_winters' N and season (integer literals, as InfluxDB requires them), LIMIT and
 * OFFSET (points), SLIMIT and SOFFSET (series). fill() takes null, none, previous, linear or a finite number;
 * durations must fit InfluxDB's int64 nanoseconds, a GROUP BY time() interval must be positive and its offset a
 * duration or now().
 */
import { InfluxToken, InfluxqlError, tokenizeInfluxql } from './influxqlLexer';

export { InfluxqlError } from './influxqlLexer';

/** What a statement may read: the configured database and the retention policies it may name. */
export interface InfluxScope {
  database: string;
  retentionPolicies: string[];
}

const BINARY_OPERATORS = new Set([
  '+',
  '-',
  '*',
  '/',
  '%',
  '&',
  '|',
  '^',
  '=',
  '!=',
  '<>',
  '<',
  '<=',
  '>',
  '>=',
  '=~',
  '!~',
]);

/** Parentheses and subqueries nested deeper than this are refused (the parser recurses once per level). */
export const MAX_NESTING = 100;

/** Values (fields, literals, calls) a statement may hold in all: far above a dashboard's, far below a slow one. */
export const MAX_VALUES = 256;

/**
 * Measurements (names or regexes) a statement may read from, in all its FROM lists and subqueries. Each one
 * multiplies InfluxDB's work and memory: a review's FROM of 800 times the same measurement took InfluxDB 1.6 from
 * 90 MB to 5 GB in 26 s, 200 times /./ 18.6 s against 0.075 s for one.
 */
export const MAX_SOURCES = 8;

/** InfluxQL duration units in milliseconds. */
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  u: 1e-3,
  µ: 1e-3,
  ms: 1,
  s: 1e3,
  m: 6e4,
  h: 36e5,
  d: 864e5,
  w: 6048e5,
};

/** A bound on a count in a statement, and what it comes from (the config's limits), named in a refusal. */
export interface StatementBound {
  max: number;
  source: string;
}

/** What one statement may make InfluxDB compute (costLimits.ts influxqlLimits builds it from the config). */
export interface StatementLimits {
  /**
   * Points per series: GROUP BY time(...) buckets over rangeMs, the N of top()/bottom()/sample(), windows and
   * seasons of the moving-window functions and holt_winters(), LIMIT and OFFSET.
   */
  points: StatementBound;
  /** Series: SLIMIT and SOFFSET. */
  series: StatementBound;
  /** The range $timeFilter covers, once known (a request is checked before it is): buckets are counted over it. */
  rangeMs?: number;
}

/**
 * Arguments (0-based) of InfluxQL 1.x functions that count points (of output, or of a window InfluxDB keeps), each
 * an integer literal; 'last': the last of two or more (top and bottom take tags before it).
 */
const COUNTING_ARGUMENTS: Record<string, number[] | 'last'> = {
  top: 'last',
  bottom: 'last',
  sample: [1],
  moving_average: [1],
  exponential_moving_average: [1, 2],
  double_exponential_moving_average: [1, 2],
  triple_exponential_moving_average: [1, 2],
  triple_exponential_derivative: [1, 2],
  relative_strength_index: [1, 2],
  kaufmans_efficiency_ratio: [1, 2],
  kaufmans_adaptive_moving_average: [1, 2],
  chande_momentum_oscillator: [1, 2],
  holt_winters: [1, 2],
  holt_winters_with_fit: [1, 2],
};

/** InfluxDB keeps durations in int64 nanoseconds: about 292 years, in ms. */
const MAX_DURATION_MS = 9_223_372_036_854;

/**
 * The time InfluxDB's `GROUP BY time(...)` buckets of `statement` span (ms; `$interval` and `$__interval` are
 * `stepMs`), the longest when it has several (subqueries); undefined without one: its rows are the samples themselves.
 * A bucket's row at `m` holds the samples of [m, m + the interval). Undefined too for what does not lex (the check
 * refuses it with its position).
 */
export function groupByTimeIntervalMs(statement: string, stepMs: number): number | undefined {
  let tokens: InfluxToken[];
  try {
    tokens = tokenizeInfluxql(statement);
  } catch {
    return undefined;
  }
  let longest: number | undefined;
  let grouping = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token.type === 'keyword') {
      // GROUP BY opens the dimensions; any other keyword (fill is an identifier) ends them.
      grouping = token.text === 'BY' ? tokens[i - 1]?.text === 'GROUP' : token.text === 'GROUP' && grouping;
      continue;
    }
    const interval = tokens[i + 2];
    if (grouping && token.type === 'identifier' && token.text.toLowerCase() === 'time' && tokens[i + 1]?.text === '(') {
      const unit = interval && /^(\d+)(ns|u|µ|ms|s|m|h|d|w)$/.exec(interval.text);
      const ms =
        interval?.type === 'macro' && ['$interval', '$__interval'].includes(interval.text)
          ? stepMs
          : interval?.type === 'duration' && unit
            ? Number(unit[1]) * UNIT_MS[unit[2]]
            : undefined;
      if (ms !== undefined && !(ms <= longest!)) {
        longest = ms;
      }
    }
  }
  return longest;
}

/**
 * Throws InfluxqlError unless `statement` is one read-only SELECT within `scope` whose buckets stay within the
 * query's range and whose counts stay within `limits` (with `limits.rangeMs`, no `GROUP BY time(<duration>)` may
 * make more buckets over it than `limits.points`).
 */
export function checkReadOnlySelect(statement: string, scope: InfluxScope, limits: StatementLimits): void {
  new SelectParser(tokenizeInfluxql(statement), scope, limits).parseStatement();
}

class SelectParser {
  private index = 0;
  private depth = 0;
  /** Measurements read from so far (see MAX_SOURCES). */
  private sources = 0;
  /** Values parsed so far (see MAX_VALUES). */
  private values = 0;

  constructor(
    private readonly tokens: InfluxToken[],
    private readonly scope: InfluxScope,
    private readonly limits: StatementLimits
  ) {}

  parseStatement(): void {
    const first = this.peek();
    if (!this.isKeyword(first, 'SELECT')) {
      this.fail(first, `only a SELECT statement is accepted, got ${describe(first)}`);
    }
    const { select, withinTimeFilter } = this.parseSelect();
    const end = this.peek();
    if (end.text === ';') {
      this.fail(end, 'only one statement is accepted: remove ";" and what follows');
    }
    if (end.type !== 'end') {
      this.fail(end, `unexpected ${describe(end)}`);
    }
    if (!withinTimeFilter) {
      // Without it InfluxDB reads, and holds for its answer, every point of the measurement's history. InfluxDB 1.6
      // applies the statement's time range to its subqueries, so theirs may go without.
      this.fail(
        select,
        "a SELECT needs WHERE $timeFilter (alone or AND-ed with other conditions, no OR) so that it reads only the query's range"
      );
    }
  }

  /** Its first token, and whether $timeFilter bounds its WHERE clause. */
  private parseSelect(): { select: InfluxToken; withinTimeFilter: boolean } {
    this.enter();
    const select = this.peek();
    this.expectKeyword('SELECT');
    this.parseList(() => this.parseField());
    if (this.isKeyword(this.peek(), 'INTO')) {
      this.fail(this.peek(), 'SELECT ... INTO writes: not accepted');
    }
    this.expectKeyword('FROM');
    this.parseList(() => this.parseSource());
    const withinTimeFilter = this.acceptKeyword('WHERE') && this.parseExpression();
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      this.parseList(() => {
        const token = this.peek();
        if (this.acceptOperator('*')) {
          return;
        }
        if (token.type === 'identifier' && token.text.toLowerCase() === 'time' && this.peekAt(1).text === '(') {
          this.parseGroupByTime(withinTimeFilter);
          return;
        }
        this.parseExpression();
      });
    }
    if (this.peek().type === 'identifier' && this.peek().text.toLowerCase() === 'fill') {
      this.parseFill();
    }
    if (this.acceptKeyword('ORDER')) {
      this.expectKeyword('BY');
      this.expectIdentifier('a field name (time)');
      if (!this.acceptKeyword('ASC')) {
        this.acceptKeyword('DESC');
      }
    }
    for (const clause of ['LIMIT', 'OFFSET', 'SLIMIT', 'SOFFSET']) {
      if (this.acceptKeyword(clause)) {
        const count = this.expectType('integer', `an integer after ${clause}`);
        const bound = clause.startsWith('S') ? this.limits.series : this.limits.points;
        this.checkCount(count, Number(count.text), bound, `${clause} ${count.text}`);
      }
    }
    if (this.peek().type === 'identifier' && this.peek().text.toLowerCase() === 'tz') {
      this.parsePrimary();
    }
    this.depth--;
    return { select, withinTimeFilter };
  }

  /** `time(interval[, offset])` of GROUP BY: bounded by $timeFilter, and within the bucket budget. */
  private parseGroupByTime(withinTimeFilter: boolean): void {
    const time = this.next();
    if (!withinTimeFilter) {
      this.fail(
        time,
        "GROUP BY time(...) needs WHERE $timeFilter (alone or AND-ed with other conditions, no OR) so that its buckets stay within the query's range"
      );
    }
    this.expectOperator('(');
    const interval = this.peek();
    if (interval.type === 'duration') {
      const ms = this.durationMs(interval);
      if (ms <= 0) {
        this.fail(interval, `GROUP BY time(${interval.text}): the interval must be positive`);
      }
      const { rangeMs } = this.limits;
      const { max, source } = this.limits.points;
      const buckets = rangeMs === undefined ? 0 : Math.floor(rangeMs / ms) + 1;
      if (buckets > max) {
        this.fail(
          interval,
          `GROUP BY time(${interval.text}) over the query's range of ${rangeMs} ms makes ${buckets} buckets ` +
            `per series; at most ${max} (${source}): use $interval, or a longer duration`
        );
      }
    } else if (!(interval.type === 'macro' && ['$interval', '$__interval'].includes(interval.text))) {
      this.fail(
        interval,
        `expected a duration, $interval or $__interval in GROUP BY time(...), got ${describe(interval)}`
      );
    }
    this.next();
    if (this.acceptOperator(',')) {
      // The offset: a duration, signed, or now() (InfluxDB takes it modulo the interval).
      const offset = this.peek();
      if (offset.type === 'identifier' && offset.text.toLowerCase() === 'now' && this.peekAt(1).text === '(') {
        this.next();
        this.next();
        this.expectOperator(')');
      } else {
        if (offset.text === '-' || offset.text === '+') {
          this.next();
        }
        this.durationMs(this.expectType('duration', 'a duration or now() as the offset of GROUP BY time(...)'));
      }
    }
    this.expectOperator(')');
  }

  /** fill(null | none | previous | linear | a finite number). */
  private parseFill(): void {
    this.next();
    this.expectOperator('(');
    const value = this.peek();
    if (value.type === 'identifier' && ['null', 'none', 'previous', 'linear'].includes(value.text.toLowerCase())) {
      this.next();
    } else {
      if (value.text === '-' || value.text === '+') {
        this.next();
      }
      const number = this.peek();
      if ((number.type !== 'integer' && number.type !== 'number') || !Number.isFinite(Number(number.text))) {
        this.fail(number, `expected null, none, previous, linear or a number in fill(...), got ${describe(number)}`);
      }
      this.next();
    }
    this.expectOperator(')');
  }

  /** A duration token's milliseconds; refused beyond what InfluxDB holds (int64 nanoseconds). */
  private durationMs(token: InfluxToken): number {
    const unit = /^\d+(ns|u|µ|ms|s|m|h|d|w)$/.exec(token.text);
    const ms = unit ? Number(token.text.slice(0, -unit[1].length)) * UNIT_MS[unit[1]] : NaN;
    if (!(ms <= MAX_DURATION_MS)) {
      this.fail(token, `duration ${token.text} is longer than InfluxDB's durations (about 292 years)`);
    }
    return ms;
  }

  /** A count refused beyond its bound, at its token. */
  private checkCount(token: InfluxToken, value: number, bound: StatementBound, what: string): void {
    if (!(Math.abs(value) <= bound.max)) {
      this.fail(token, `${what} is more than ${bound.source} allows (${bound.max})`);
    }
  }

  /** A cast's type: float, integer, string, boolean, or the keywords field and tag (`value::field`). */
  private expectCastType(): void {
    if (!this.acceptKeyword('FIELD') && !this.acceptKeyword('TAG')) {
      this.expectIdentifier('a type after "::"');
    }
  }

  private parseField(): void {
    if (this.acceptOperator('*')) {
      if (this.acceptOperator('::')) {
        this.expectCastType();
      }
      return;
    }
    this.parseExpression();
    if (this.acceptKeyword('AS')) {
      this.expectIdentifier('an alias after AS');
    }
  }

  /** A measurement of the configured database, or a subquery (checked the same way). */
  private parseSource(): void {
    if (this.acceptOperator('(')) {
      this.parseSelect();
      this.expectOperator(')');
      return;
    }
    if (++this.sources > MAX_SOURCES) {
      this.fail(
        this.peek(),
        `more than ${MAX_SOURCES} measurements in the statement (its FROM lists and subqueries in all): each one multiplies InfluxDB's work`
      );
    }
    const parts: Array<InfluxToken | undefined> = [];
    for (;;) {
      const token = this.peek();
      if (token.type === 'identifier' || token.type === 'quotedIdentifier' || token.type === 'regex') {
        parts.push(this.next());
      } else if (token.text === '.' && parts.length > 0) {
        parts.push(undefined); // db..measurement: the default retention policy
      } else {
        this.fail(token, `expected a measurement, got ${describe(token)}`);
      }
      if (!this.acceptOperator('.')) {
        break;
      }
      if (parts.length >= 3) {
        this.fail(this.peek(), 'a measurement has at most three parts: database.retention_policy.measurement');
      }
    }
    const measurement = parts[parts.length - 1];
    if (measurement === undefined) {
      this.fail(this.peek(), 'expected a measurement');
    }
    parts.slice(0, -1).forEach((part) => {
      if (part?.type === 'regex') {
        this.fail(part, 'only the measurement may be a regex');
      }
    });
    const [database, retentionPolicy] = parts.length === 3 ? [parts[0], parts[1]] : [undefined, parts[0]];
    if (database && database.text !== this.scope.database) {
      this.fail(database, `database "${database.text}" is not the configured one ("${this.scope.database}")`);
    }
    if (parts.length > 1 && retentionPolicy && !this.scope.retentionPolicies.includes(retentionPolicy.text)) {
      this.fail(
        retentionPolicy,
        `retention policy "${retentionPolicy.text}" is not allowed (allowed: ${this.scope.retentionPolicies.join(', ')})`
      );
    }
  }

  /**
   * Terms joined by AND/OR, each operands joined by binary operators (a loop, so long chains do not recurse). True
   * when `$timeFilter` alone is one of its AND-ed terms and no OR joins them: the expression holds only within it.
   */
  private parseExpression(): boolean {
    this.enter();
    let timeFilterTerm = false;
    let or = false;
    do {
      const start = this.index;
      this.parseUnary();
      while (this.peek().type === 'operator' && BINARY_OPERATORS.has(this.peek().text)) {
        this.next();
        this.parseUnary();
      }
      const term = this.tokens[start];
      timeFilterTerm ||= this.index === start + 1 && term.type === 'macro' && term.text === '$timeFilter';
      or ||= this.isKeyword(this.peek(), 'OR');
    } while (this.acceptKeyword('AND') || this.acceptKeyword('OR'));
    this.depth--;
    return timeFilterTerm && !or;
  }

  private parseUnary(): void {
    if (this.peek().text === '-' || this.peek().text === '+') {
      this.next();
    }
    this.parsePrimary();
  }

  private parsePrimary(): void {
    const token = this.peek();
    if (++this.values > MAX_VALUES) {
      this.fail(token, `more than ${MAX_VALUES} values in the statement (fields, literals and calls in all)`);
    }
    if (this.acceptOperator('(')) {
      this.parseExpression();
      this.expectOperator(')');
      return;
    }
    const callable = token.type === 'identifier' || this.isKeyword(token, 'DISTINCT');
    if (callable && this.peekAt(1).text === '(') {
      this.next();
      this.next();
      const starts: number[] = [];
      if (!this.acceptOperator(')')) {
        this.parseList(() => {
          starts.push(this.index);
          this.parseArgument();
        });
        this.expectOperator(')');
      }
      this.checkCountingArguments(token, starts);
      return;
    }
    if (token.type === 'identifier' || token.type === 'quotedIdentifier') {
      this.next();
      if (this.acceptOperator('::')) {
        this.expectCastType();
      }
      return;
    }
    if (token.type === 'duration') {
      this.durationMs(this.next());
      return;
    }
    if (['string', 'number', 'integer', 'regex', 'macro'].includes(token.type)) {
      this.next();
      return;
    }
    if (this.isKeyword(token, 'TRUE') || this.isKeyword(token, 'FALSE')) {
      this.next();
      return;
    }
    this.fail(token, `expected a value, got ${describe(token)}`);
  }

  /**
   * The counting arguments of `call` (COUNTING_ARGUMENTS) are integer literals, negative ones included (a hold period
   * of -1), within limits.points. `starts` are the token indexes where its arguments begin; the call is parsed.
   */
  private checkCountingArguments(call: InfluxToken, starts: number[]): void {
    const name = call.text.toLowerCase();
    const counting = Object.hasOwn(COUNTING_ARGUMENTS, name) ? COUNTING_ARGUMENTS[name] : [];
    const positions = counting === 'last' ? (starts.length >= 2 ? [starts.length - 1] : []) : counting;
    for (const position of positions.filter((p) => p < starts.length)) {
      const start = starts[position];
      const end = position + 1 < starts.length ? starts[position + 1] - 1 : this.index - 1; // the "," or ")"
      const signed = this.tokens[start].text === '-' ? 1 : 0;
      const literal = this.tokens[start + signed];
      if (literal.type !== 'integer' || end !== start + signed + 1) {
        this.fail(this.tokens[start], `expected an integer as argument ${position + 1} of ${name}()`);
      }
      const value = Number(literal.text) * (signed ? -1 : 1);
      this.checkCount(literal, value, this.limits.points, `${name}() argument ${position + 1}: ${value}`);
    }
  }

  private parseArgument(): void {
    if (this.acceptOperator('*')) {
      return;
    }
    if (this.acceptKeyword('DISTINCT')) {
      this.expectIdentifier('a field after DISTINCT');
      return;
    }
    this.parseExpression();
  }

  private parseList(item: () => void): void {
    item();
    while (this.acceptOperator(',')) {
      item();
    }
  }

  private expectIdentifier(what: string): InfluxToken {
    const token = this.peek();
    if (token.type !== 'identifier' && token.type !== 'quotedIdentifier') {
      this.fail(token, `expected ${what}, got ${describe(token)}`);
    }
    return this.next();
  }

  private expectType(type: InfluxToken['type'], what: string): InfluxToken {
    const token = this.peek();
    if (token.type !== type) {
      this.fail(token, `expected ${what}, got ${describe(token)}`);
    }
    return this.next();
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) {
      this.fail(this.peek(), `expected ${keyword}, got ${describe(this.peek())}`);
    }
  }

  private expectOperator(operator: string): void {
    if (!this.acceptOperator(operator)) {
      this.fail(this.peek(), `expected "${operator}", got ${describe(this.peek())}`);
    }
  }

  private acceptKeyword(keyword: string): boolean {
    return this.isKeyword(this.peek(), keyword) && this.next() !== undefined;
  }

  private acceptOperator(operator: string): boolean {
    return this.peek().type === 'operator' && this.peek().text === operator && this.next() !== undefined;
  }

  private isKeyword(token: InfluxToken, keyword: string): boolean {
    return token.type === 'keyword' && token.text === keyword;
  }

  private peek(): InfluxToken {
    return this.tokens[this.index];
  }

  /** The token `ahead` places after the current one (the end token past the end). */
  private peekAt(ahead: number): InfluxToken {
    return this.tokens[Math.min(this.index + ahead, this.tokens.length - 1)];
  }

  /** One level deeper (an expression or a SELECT); the caller decrements `depth` when it is done. */
  private enter(): void {
    if (++this.depth > MAX_NESTING) {
      this.fail(this.peek(), `nested more than ${MAX_NESTING} levels deep`);
    }
  }

  private next(): InfluxToken {
    const token = this.tokens[this.index];
    if (token.type !== 'end') {
      this.index++;
    }
    return token;
  }

  private fail(token: InfluxToken, reason: string): never {
    throw new InfluxqlError(token.offset, reason);
  }
}

function describe(token: InfluxToken): string {
  switch (token.type) {
    case 'end':
      return 'end of statement';
    case 'keyword':
      return token.text;
    case 'string':
      return `string '${token.text}'`;
    case 'quotedIdentifier':
      return `"${token.text}"`;
    default:
      return `"${token.text}"`;
  }
}
