/**
 * The anomaly query language: an anomaly function wrapping any upstream query, keyword options, and an optional
 * trailing comparison. Parsed by a small recursive-descent parser over PromQL tokens:
 *
 *   query      := anomalyCall comparison? END
 *   anomalyCall:= ("anomaly_score" | "anomaly_flag" | "anomaly_threshold") "(" inner ("," option)* ")"
 *   inner      := influxql | <balanced PromQL tokens up to the first top-level "," or ")">
 *   influxql   := "influxql" "(" STRING ")"
 *   option     := NAME "=" (STRING | NUMBER | DURATION | IDENTIFIER)
 *   comparison := (">" | ">=" | "<" | "<=" | "==" | "!=") "bool"? "-"? NUMBER
 *
 * Queries without any anomaly function are plain PromQL and are not parsed here (the upstream judges them).
 * Error positions are 1-based character numbers, like Prometheus' "parse error at char N".
 */
import {
  ANOMALY_FUNCTIONS,
  ANOMALY_INTEGER_LIMITS,
  ANOMALY_OPTION_NAMES,
  type AnomalyFunction,
  type AnomalyIntegerOption,
  CONTAMINATION_MAX,
  detectionModeChoices,
  type DetectionMode,
  LABEL_NAME,
  MAX_DURATION_MS,
  formatDuration,
  parseDetectionMode,
  isDurationOutOfRange,
  parseDuration,
} from '@telemetry-analyzer/engine';
import { QueryParseError } from '../errors';
import { parseTimestamp } from '../time';
import { Token, promqlNumber, tokenize } from './lexer';

// Names, limits and durations are the contract shared with the panel and the CLI (engine src/contract/).
export { ANOMALY_FUNCTIONS, type AnomalyFunction };

export type ComparisonOperator = '>' | '>=' | '<' | '<=' | '==' | '!=';
const COMPARISON_OPERATORS: readonly string[] = ['>', '>=', '<', '<=', '==', '!='];

/** Per-query options; absent ones fall back to the config's engine defaults. Durations and times in ms. */
export interface AnomalyOptions {
  contamination?: 'auto' | number;
  /** Training window length before the query start. */
  train?: number;
  /** Fixed training range (both or neither). */
  trainStart?: number;
  trainEnd?: number;
  /** 'per-series' (default; `univariate` names it too): one model per series; 'multivariate': one per group. */
  mode?: DetectionMode;
  /** Multivariate grouping labels. */
  by?: string[];
  trees?: number;
  window?: number;
  lags?: number;
  seasonality?: 'auto' | boolean;
  seed?: number;
  /** Evaluation resolution for training and scoring. */
  step?: number;
  /** Name of a configured upstream. */
  upstream?: string;
  /** Online mode: every point scored from the points before it, calibrated (query/onlineScoring.ts). */
  online?: boolean;
}

export type InnerQuery =
  | { language: 'promql'; expression: string; offset: number }
  | { language: 'influxql'; statement: string; offset: number };

export interface AnomalyQuery {
  function: AnomalyFunction;
  inner: InnerQuery;
  options: AnomalyOptions;
  /** 1-based char position of each given option's value (for later errors, e.g. an unknown upstream). */
  optionPositions: Partial<Record<keyof AnomalyOptions, number>>;
  comparison?: { operator: ComparisonOperator; value: number; bool: boolean };
}

/** A plain query keeps its tokens for the cost check. */
export type ParsedQuery = { kind: 'plain'; tokens: Token[] } | { kind: 'anomaly'; query: AnomalyQuery };

const OPTION_NAMES: readonly string[] = ANOMALY_OPTION_NAMES;
const OPENERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

function isAnomalyFunction(text: string): text is AnomalyFunction {
  return (ANOMALY_FUNCTIONS as readonly string[]).includes(text);
}

/**
 * Classifies a query: plain PromQL (pass through) or an anomaly query (parsed). Throws QueryParseError.
 * @param tokens the query's tokens when the caller has them (tokenize(source))
 */
export function parseQuery(source: string, tokens = tokenize(source)): ParsedQuery {
  // A query that does not lex is refused here, plain or not: the lexer errs where Prometheus' does (lexer.ts), and a
  // plain query passed on unlexed would pass on unchecked (its subqueries' cost: promqlCost.ts).
  const calls = tokens.filter(
    (t, i) =>
      t.type === 'identifier' && (isAnomalyFunction(t.text) || t.text === 'influxql') && tokens[i + 1].text === '('
  );
  if (calls.length === 0) {
    return { kind: 'plain', tokens };
  }
  return { kind: 'anomaly', query: new AnomalyQueryParser(source, tokens).parse() };
}

class AnomalyQueryParser {
  private index = 0;

  constructor(
    private readonly source: string,
    private readonly tokens: Token[]
  ) {}

  parse(): AnomalyQuery {
    const head = this.peek();
    if (head.type !== 'identifier' || !isAnomalyFunction(head.text)) {
      const call = this.tokens.find((t) => isAnomalyFunction(t.text) || t.text === 'influxql')!;
      if (call.text === 'influxql') {
        this.fail(call, 'influxql("...") is only allowed as the first argument of an anomaly function');
      }
      this.fail(
        call,
        `${call.text} must be the outermost function of the query (only a comparison like "> 0" may follow it)`
      );
    }
    this.next();
    const opening = this.expect('(', `"(" after ${head.text}`);
    const inner = this.parseInner(head.text, opening);
    const { options, optionPositions } = this.parseOptions();
    this.expect(')', `"," or ")" closing ${head.text}(`);
    const comparison = this.parseComparison();
    const end = this.peek();
    if (end.type !== 'end') {
      this.fail(end, `unexpected ${describe(end)} after ${head.text}(...); only a comparison like "> 0" may follow`);
    }
    return { function: head.text as AnomalyFunction, inner, options, optionPositions, comparison };
  }

  /** The wrapped expression: balanced tokens up to the first top-level "," or ")". */
  private parseInner(functionName: string, opening: Token): InnerQuery {
    const first = this.peek();
    if (first.text === 'influxql' && this.tokens[this.index + 1]?.text === '(') {
      return this.parseInfluxql();
    }
    const open: Token[] = [];
    while (true) {
      const token = this.peek();
      if (token.type === 'end') {
        const unclosed = open.length > 0 ? open[open.length - 1] : opening;
        this.fail(token, `unclosed "${unclosed.text}" opened at char ${unclosed.offset + 1}`);
      }
      if (open.length === 0 && (token.text === ',' || token.text === ')')) {
        break;
      }
      if (token.type === 'identifier' && this.tokens[this.index + 1].text === '(') {
        if (isAnomalyFunction(token.text)) {
          this.fail(token, 'anomaly functions cannot be nested');
        }
        if (token.text === 'influxql') {
          this.fail(token, 'influxql("...") must be the whole first argument, not part of an expression');
        }
      }
      if (token.type === 'punctuation' && token.text === '@') {
        const modifier = this.tokens[this.index + 1];
        if (modifier?.type === 'identifier' && /^(?:start|end)$/i.test(modifier.text)) {
          // Prometheus reads them against the query's range; here the wrapped query is evaluated over the proxy's own
          // fetches (the training window, the scored range with its history): one value, silently (a review).
          this.fail(
            modifier,
            `@ ${modifier.text}() inside ${functionName}() would refer to the proxy's own fetches of the wrapped ` +
              'query, not to your range: give a timestamp (@ 1700000000) or leave it out'
          );
        }
      }
      if (token.text in OPENERS && token.type === 'punctuation') {
        open.push(token);
      } else if (token.text in CLOSERS && token.type === 'punctuation') {
        const opener = open.pop();
        if (!opener || OPENERS[opener.text] !== token.text) {
          this.fail(
            token,
            opener
              ? `unexpected "${token.text}": "${opener.text}" at char ${opener.offset + 1} is not closed`
              : `unexpected "${token.text}"`
          );
        }
      }
      this.next();
    }
    const endOffset = this.peek().offset;
    const expression = this.source.slice(first.offset, endOffset).trim();
    if (expression === '' && first.type !== 'end') {
      this.fail(first, `${functionName}() needs an expression as its first argument`);
    }
    return { language: 'promql', expression, offset: first.offset };
  }

  private parseInfluxql(): InnerQuery {
    const keyword = this.next();
    this.next(); // "("
    const statement = this.peek();
    if (statement.type !== 'string') {
      this.fail(
        statement,
        `influxql() expects one string literal (the InfluxQL statement), got ${describe(statement)}`
      );
    }
    this.next();
    this.expect(')', '")" after the InfluxQL string');
    const after = this.peek();
    if (after.text !== ',' && after.text !== ')') {
      this.fail(after, `unexpected ${describe(after)} after influxql("..."); it must be the whole first argument`);
    }
    if (statement.stringValue!.trim() === '') {
      this.fail(statement, 'the InfluxQL statement is empty');
    }
    return { language: 'influxql', statement: statement.stringValue!, offset: keyword.offset };
  }

  private parseOptions(): Pick<AnomalyQuery, 'options' | 'optionPositions'> {
    const options: AnomalyOptions = {};
    const optionPositions: AnomalyQuery['optionPositions'] = {};
    const seen = new Set<string>();
    while (this.peek().text === ',') {
      this.next();
      const name = this.peek();
      if (name.type !== 'identifier') {
        this.fail(name, `expected an option name (${OPTION_NAMES.join(', ')}), got ${describe(name)}`);
      }
      if (!OPTION_NAMES.includes(name.text)) {
        this.fail(name, `unknown option "${name.text}" (allowed: ${OPTION_NAMES.join(', ')})`);
      }
      if (seen.has(name.text)) {
        this.fail(name, `option "${name.text}" given twice`);
      }
      seen.add(name.text);
      this.next();
      this.expect('=', `"=" after option ${name.text}`);
      const value = this.peek();
      if (!['string', 'number', 'duration', 'identifier'].includes(value.type)) {
        this.fail(value, `expected a value for option ${name.text}, got ${describe(value)}`);
      }
      this.next();
      const key = this.applyOption(options, name.text, value);
      optionPositions[key] = value.offset + 1;
    }
    this.checkOptionCombinations(options, optionPositions);
    return { options, optionPositions };
  }

  /** Validates one option value and stores it; returns the AnomalyOptions key it set. */
  private applyOption(options: AnomalyOptions, name: string, value: Token): keyof AnomalyOptions {
    const text = value.type === 'string' ? value.stringValue! : value.text;
    switch (name) {
      case 'contamination': {
        const n = value.type === 'number' || value.type === 'string' ? Number(text) : NaN;
        if (text === 'auto') {
          options.contamination = 'auto';
        } else if (text.trim() !== '' && n > 0 && n <= CONTAMINATION_MAX) {
          options.contamination = n;
        } else {
          this.fail(value, `contamination must be auto or a number in (0, ${CONTAMINATION_MAX}], got ${value.text}`);
        }
        return 'contamination';
      }
      case 'train':
      case 'step': {
        const ms = parseDuration(text);
        const literal = value.type !== 'identifier' && value.type !== 'number';
        if (literal && isDurationOutOfRange(text)) {
          this.fail(value, `${name} ${value.text} is out of range: at most ${formatDuration(MAX_DURATION_MS)}`);
        }
        if (ms === undefined || ms <= 0 || !literal) {
          this.fail(value, `${name} must be a duration like "7d", "1h" or "60s", got ${value.text}`);
        }
        options[name] = ms;
        return name;
      }
      case 'train_start':
      case 'train_end': {
        const ms = value.type === 'string' || value.type === 'number' ? parseTimestamp(text) : undefined;
        if (ms === undefined) {
          this.fail(
            value,
            `${name} must be an RFC 3339 time ("2024-01-01T00:00:00Z") or unix seconds, got ${value.text}`
          );
        }
        const key = name === 'train_start' ? 'trainStart' : 'trainEnd';
        options[key] = ms;
        return key;
      }
      case 'mode': {
        const mode = parseDetectionMode(text);
        if (mode === undefined) {
          this.fail(value, `mode must be ${detectionModeChoices(true)}, got ${value.text}`);
        }
        options.mode = mode;
        return 'mode';
      }
      case 'by': {
        const labels = text.split(',').map((l) => l.trim());
        const bad = labels.find((l) => !LABEL_NAME.test(l));
        if (value.type === 'number' || value.type === 'duration' || bad !== undefined) {
          this.fail(value, `by must be a label name or a comma-separated list like "instance,job", got ${value.text}`);
        }
        options.by = labels;
        return 'by';
      }
      case 'trees':
      case 'window':
      case 'lags':
      case 'seed':
        options[name] = this.integer(value, name);
        return name;
      case 'seasonality':
        if (text === 'auto') {
          options.seasonality = 'auto';
        } else if (text === 'true' || text === 'false') {
          options.seasonality = text === 'true';
        } else {
          this.fail(value, `seasonality must be auto, true or false, got ${value.text}`);
        }
        return 'seasonality';
      case 'online':
        if (text !== 'true' && text !== 'false') {
          this.fail(value, `online must be true or false, got ${value.text}`);
        }
        options.online = text === 'true';
        return 'online';
      case 'upstream':
        if (value.type !== 'string' && value.type !== 'identifier') {
          this.fail(value, `upstream must name a configured upstream, got ${value.text}`);
        }
        options.upstream = text;
        return 'upstream';
      default:
        throw new Error(`option ${name} has no handler`);
    }
  }

  private checkOptionCombinations(options: AnomalyOptions, positions: AnomalyQuery['optionPositions']): void {
    const at = (key: keyof AnomalyOptions) => positions[key]!;
    if ((options.trainStart === undefined) !== (options.trainEnd === undefined)) {
      const given = options.trainStart !== undefined ? 'trainStart' : 'trainEnd';
      throw new QueryParseError(at(given), 'train_start and train_end must be given together');
    }
    if (options.trainStart !== undefined && options.trainStart >= options.trainEnd!) {
      throw new QueryParseError(at('trainEnd'), 'train_end must be after train_start');
    }
    if (options.trainStart !== undefined && options.train !== undefined) {
      throw new QueryParseError(at('train'), 'give either train or train_start/train_end, not both');
    }
    if (options.by !== undefined) {
      if (options.mode === 'per-series') {
        throw new QueryParseError(
          at('by'),
          'by groups series for mode=multivariate; it cannot be used with mode=per-series'
        );
      }
      options.mode = 'multivariate';
    }
  }

  private parseComparison(): AnomalyQuery['comparison'] {
    const operator = this.peek();
    if (operator.type !== 'punctuation' || !COMPARISON_OPERATORS.includes(operator.text)) {
      return undefined;
    }
    this.next();
    let bool = false;
    if (this.peek().text === 'bool') {
      bool = true;
      this.next();
    }
    let sign = 1;
    if (this.peek().text === '-' || this.peek().text === '+') {
      sign = this.next().text === '-' ? -1 : 1;
    }
    const number = this.peek();
    // PromQL's number literals include NaN and Inf, in any case (its lexer reads them as numbers).
    const special = number.type === 'identifier' && /^(?:nan|inf)$/i.test(number.text);
    if (number.type !== 'number' && !special) {
      this.fail(number, `expected a number after "${operator.text}", got ${describe(number)}`);
    }
    if (!special && !Number.isFinite(Number(number.text))) {
      // As Prometheus: 1e400 is out of range for a float64, not +Inf (which is spelled Inf).
      this.fail(number, `error parsing number: ${number.text} is out of range`);
    }
    this.next();
    // A leading 0 is octal in PromQL (promqlNumber): 010 is 8.
    const value = special ? (number.text.toLowerCase() === 'nan' ? NaN : Infinity) : promqlNumber(number.text);
    return { operator: operator.text as ComparisonOperator, value: sign * value, bool };
  }

  private integer(value: Token, name: AnomalyIntegerOption): number {
    const [min, max] = ANOMALY_INTEGER_LIMITS[name];
    const text = value.type === 'string' ? value.stringValue : value.text;
    const n = Number(text);
    // Number("") and Number("  ") are 0: lags="" was read as lags=0, seed="" as seed 0 (an attack review).
    if (value.type === 'identifier' || value.type === 'duration' || text?.trim() === '' || !Number.isInteger(n)) {
      this.fail(value, `${name} must be an integer, got ${value.text}`);
    }
    // The grammar's own bound on the side crossed only: the proxy's limits (limits.maxWindow...) are lower than its
    // maxima and are named when passed (costLimits.ts); "[2, 10000]" for window=1 told of a maximum it does not allow.
    if (n < min) {
      this.fail(value, `${name} must be an integer of at least ${min}, got ${value.text}`);
    }
    if (n > max) {
      this.fail(value, `${name} must be an integer of at most ${max}, got ${value.text}`);
    }
    return n;
  }

  private peek(): Token {
    return this.tokens[this.index];
  }

  private next(): Token {
    const token = this.tokens[this.index];
    if (token.type !== 'end') {
      this.index++;
    }
    return token;
  }

  private expect(text: string, what: string): Token {
    const token = this.peek();
    if (token.text !== text || token.type !== 'punctuation') {
      this.fail(token, `expected ${what}, got ${describe(token)}`);
    }
    return this.next();
  }

  private fail(token: Token, reason: string): never {
    throw new QueryParseError(token.offset + 1, reason);
  }
}

function describe(token: Token): string {
  return token.type === 'end' ? 'end of query' : `"${token.text}"`;
}
