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
 * Bounded work: a SELECT with `GROUP BY time(...)` makes InfluxDB compute (and with fill() send) every bucket of its
 * time range, so it must have `$timeFilter` as one of its WHERE clause's AND-ed terms (no OR beside it): its range is
 * then the query's. Given that range, a duration in time(...) may not make more buckets per series than the budget
 * (`time(1ns)` over a day is 86 400 billion buckets); a fixed `time(1m)` stays fine when a dashboard zooms out to a
 * coarser step, as long as the range holds few enough minutes. Expressions and subqueries nest at most MAX_NESTING
 * deep (the parser recurses).
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

/** The range a statement's $timeFilter will cover, and how many GROUP BY time(...) buckets per series it may make. */
export interface BucketBudget {
  rangeMs: number;
  maxBuckets: number;
  /** Names the budget in the refusal, e.g. the config limits it comes from. */
  source: string;
}

/**
 * Throws InfluxqlError unless `statement` is one read-only SELECT within `scope` whose buckets stay within the
 * query's range; with a `budget`, no `GROUP BY time(<duration>)` may make more buckets over its range.
 */
export function checkReadOnlySelect(statement: string, scope: InfluxScope, budget?: BucketBudget): void {
  new SelectParser(tokenizeInfluxql(statement), scope, budget).parseStatement();
}

class SelectParser {
  private index = 0;
  private depth = 0;

  constructor(
    private readonly tokens: InfluxToken[],
    private readonly scope: InfluxScope,
    private readonly budget: BucketBudget | undefined
  ) {}

  parseStatement(): void {
    const first = this.peek();
    if (!this.isKeyword(first, 'SELECT')) {
      this.fail(first, `only a SELECT statement is accepted, got ${describe(first)}`);
    }
    this.parseSelect();
    const end = this.peek();
    if (end.text === ';') {
      this.fail(end, 'only one statement is accepted: remove ";" and what follows');
    }
    if (end.type !== 'end') {
      this.fail(end, `unexpected ${describe(end)}`);
    }
  }

  private parseSelect(): void {
    this.enter();
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
      this.parsePrimary();
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
        this.expectType('integer', `an integer after ${clause}`);
      }
    }
    if (this.peek().type === 'identifier' && this.peek().text.toLowerCase() === 'tz') {
      this.parsePrimary();
    }
    this.depth--;
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
    const unit = /^\d+(ns|u|µ|ms|s|m|h|d|w)$/.exec(interval.text);
    if (interval.type === 'duration' && unit) {
      const ms = Number(interval.text.slice(0, -unit[1].length)) * UNIT_MS[unit[1]];
      const buckets = this.budget ? Math.floor(this.budget.rangeMs / ms) + 1 : 0;
      if (this.budget && buckets > this.budget.maxBuckets) {
        this.fail(
          interval,
          `GROUP BY time(${interval.text}) over the query's range of ${this.budget.rangeMs} ms makes ${buckets} buckets ` +
            `per series; at most ${this.budget.maxBuckets} (${this.budget.source}): use $interval, or a longer duration`
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
      this.parseExpression();
    }
    this.expectOperator(')');
  }

  private parseField(): void {
    if (this.acceptOperator('*')) {
      if (this.acceptOperator('::')) {
        this.expectIdentifier('a type after "::"');
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
    if (this.acceptOperator('(')) {
      this.parseExpression();
      this.expectOperator(')');
      return;
    }
    const callable = token.type === 'identifier' || this.isKeyword(token, 'DISTINCT');
    if (callable && this.peekAt(1).text === '(') {
      this.next();
      this.next();
      if (!this.acceptOperator(')')) {
        this.parseList(() => this.parseArgument());
        this.expectOperator(')');
      }
      return;
    }
    if (token.type === 'identifier' || token.type === 'quotedIdentifier') {
      this.next();
      if (this.acceptOperator('::')) {
        this.expectIdentifier('a type after "::"');
      }
      return;
    }
    if (['string', 'number', 'integer', 'duration', 'regex', 'macro'].includes(token.type)) {
      this.next();
      return;
    }
    if (this.isKeyword(token, 'TRUE') || this.isKeyword(token, 'FALSE')) {
      this.next();
      return;
    }
    this.fail(token, `expected a value, got ${describe(token)}`);
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
