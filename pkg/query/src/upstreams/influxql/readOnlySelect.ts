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
 *   dims       := dim ("," dim)*              dim := "*" | expr
 *   expr       := unary (binop unary)*        unary := ["-" | "+"] primary
 *   primary    := "(" expr ")" | call | ident ["::" ident] | string | number | duration | regex | TRUE | FALSE | macro
 *   call       := (ident | DISTINCT) "(" [arg ("," arg)*] ")"   arg := "*" | DISTINCT ident | expr
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

/** Throws InfluxqlError unless `statement` is one read-only SELECT within `scope`. */
export function checkReadOnlySelect(statement: string, scope: InfluxScope): void {
  new SelectParser(tokenizeInfluxql(statement), scope).parseStatement();
}

class SelectParser {
  private index = 0;

  constructor(
    private readonly tokens: InfluxToken[],
    private readonly scope: InfluxScope
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
    this.expectKeyword('SELECT');
    this.parseList(() => this.parseField());
    if (this.isKeyword(this.peek(), 'INTO')) {
      this.fail(this.peek(), 'SELECT ... INTO writes: not accepted');
    }
    this.expectKeyword('FROM');
    this.parseList(() => this.parseSource());
    if (this.acceptKeyword('WHERE')) {
      this.parseExpression();
    }
    if (this.acceptKeyword('GROUP')) {
      this.expectKeyword('BY');
      this.parseList(() => (this.acceptOperator('*') ? undefined : this.parseExpression()));
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

  private parseExpression(): void {
    this.parseUnary();
    while (this.peek().type === 'operator' && BINARY_OPERATORS.has(this.peek().text)) {
      this.next();
      this.parseUnary();
    }
    while (this.isKeyword(this.peek(), 'AND') || this.isKeyword(this.peek(), 'OR')) {
      this.next();
      this.parseExpression();
    }
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
    if (callable && this.tokens[this.index + 1].text === '(') {
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
