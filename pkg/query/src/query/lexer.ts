/**
 * A PromQL tokenizer that knows just enough (string and number literals, durations, identifiers, brackets,
 * operators, comments) to find where an expression wrapped by an anomaly function ends, and to read the durations
 * of its range selectors, subqueries and offsets (promqlCost.ts). It never judges the wrapped PromQL's syntax: that
 * is the upstream's job.
 */
import { DURATION_UNITS } from '@telemetry-analyzer/engine';
import { QueryParseError } from '../errors';

export type TokenType = 'identifier' | 'string' | 'number' | 'duration' | 'punctuation' | 'end';

export interface Token {
  type: TokenType;
  /** Source text of the token (for strings: including quotes). */
  text: string;
  /** 0-based offset of the token's first character. */
  offset: number;
  /** Decoded value of string literals. */
  stringValue?: string;
}

const OPERATORS = [
  '==',
  '!=',
  '>=',
  '<=',
  '=~',
  '!~',
  '(',
  ')',
  '[',
  ']',
  '{',
  '}',
  ',',
  '=',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
  '^',
  '@',
  ':',
];
const DURATION_TERMS = '(?:\\d+(?:ms|s|m|h|d|w|y))+';
const DURATION = new RegExp(`^${DURATION_TERMS}(?![A-Za-z0-9_:])`);
/** Inside `[...]` a duration may be followed by the ":" of a subquery (`[3d:1ms]`, `[5m:]`), as Prometheus lexes it. */
const DURATION_IN_BRACKETS = new RegExp(`^${DURATION_TERMS}(?![A-Za-z0-9_])`);
/**
 * A number as Prometheus' lexer scans it (scanNumber): greedily, never giving characters back. Whether what follows
 * may follow is checked after the match (NUMBER_FOLLOWER): a check inside the pattern made the engine retry every
 * split of a digit run, and the tokenizer every position of it, cubic in the run's length (a review's 3 000 digits
 * and a letter held the event loop for 23 s).
 */
const NUMBER = /^(?:0[xX][0-9a-fA-F]+|\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/;
/** What may not follow a number or a duration (Prometheus: an alphanumeric; ":" is a name's, never a number's). */
const NUMBER_FOLLOWER = /[A-Za-z0-9_:]/;
const IDENTIFIER = /^[A-Za-z_:][A-Za-z0-9_:]*/;

/** Splits a query into tokens; throws QueryParseError (1-based char position) on unterminated strings. */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  // Open "[" not yet closed: inside one, ":" separates a subquery's range from its resolution (not part of a name).
  let brackets = 0;
  // Whether the open "[" has had its subquery colon (see below).
  let gotColon = false;
  while (i < source.length) {
    const c = source[i];
    // PromQL's whitespace only (Go's lexer): a no-break space or another Unicode space is not a separator there,
    // so it is not one here either (it becomes a token the parser refuses, or leaves the query plain PromQL).
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === '#') {
      // PromQL comment: to the end of the line, which for Prometheus' lexer is a \n or a \r (isEndOfLine). Ending it
      // anywhere else would hide from the cost check what Prometheus evaluates after it.
      while (i < source.length && source[i] !== '\n' && source[i] !== '\r') {
        i++;
      }
      continue;
    }
    if (c === '"' || c === "'" || c === '`') {
      const token = readString(source, i);
      tokens.push(token);
      i += token.text.length;
      continue;
    }
    const rest = source.slice(i);
    if (brackets > 0 && (c === ':' || /[A-Za-z_]/.test(c))) {
      // Prometheus' lexer inside brackets (lexStatements, bracketOpen): a ":" or ANY letter or "_" is the subquery's
      // colon, once; so [30d x 1ms] is the subquery [30d:1ms] there, and must be one here (a review's attack passed a
      // costly subquery so). A second one is Prometheus' error, and a refusal here.
      if (gotColon) {
        throw new QueryParseError(i + 1, `unexpected character ${JSON.stringify(c)} inside brackets after the ":"`);
      }
      gotColon = true;
      tokens.push({ type: 'punctuation', text: ':', offset: i });
      i++;
      continue;
    }
    const match = (brackets > 0 ? DURATION_IN_BRACKETS : DURATION).exec(rest) ?? null;
    if (match) {
      tokens.push({ type: 'duration', text: match[0], offset: i });
      i += match[0].length;
      continue;
    }
    const number = NUMBER.exec(rest);
    if (number) {
      const after = source[i + number[0].length];
      if (after !== undefined && NUMBER_FOLLOWER.test(after)) {
        // Prometheus' lexNumberOrDuration: neither a number nor a duration ends here.
        throw new QueryParseError(
          i + 1,
          `bad number or duration syntax: ${JSON.stringify(source.slice(i, i + number[0].length + 1))}`
        );
      }
      tokens.push({ type: 'number', text: number[0], offset: i });
      i += number[0].length;
      continue;
    }
    const identifier = IDENTIFIER.exec(rest);
    if (identifier) {
      tokens.push({ type: 'identifier', text: identifier[0], offset: i });
      i += identifier[0].length;
      continue;
    }
    const operator = OPERATORS.find((op) => rest.startsWith(op)) ?? c;
    brackets += operator === '[' ? 1 : operator === ']' && brackets > 0 ? -1 : 0;
    gotColon = operator === '[' ? false : gotColon;
    tokens.push({ type: 'punctuation', text: operator, offset: i });
    i += operator.length;
  }
  tokens.push({ type: 'end', text: '', offset: source.length });
  return tokens;
}

/** Single-character escapes of Prometheus' lexer (lexEscape), besides the string's own quote. */
const SIMPLE_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
};

/** Numeric escapes of Prometheus' lexer: \ooo (3 octal digits), \xhh, \uhhhh, \Uhhhhhhhh, with their largest value. */
const NUMERIC_ESCAPES: Record<string, { digits: number; base: number; max: number; skip: number }> = {
  x: { digits: 2, base: 16, max: 0xff, skip: 1 },
  u: { digits: 4, base: 16, max: 0x10ffff, skip: 1 },
  U: { digits: 8, base: 16, max: 0x10ffff, skip: 1 },
};
const OCTAL_ESCAPE = { digits: 3, base: 8, max: 0xff, skip: 0 };

/**
 * Reads a PromQL string literal: "..." and '...' with Go escapes, `...` raw without escapes. Accepts and refuses
 * exactly the escapes Prometheus' lexer does (lexEscape: the string's own quote, not the other one), so a literal
 * ends where Prometheus ends it and a query refused here is refused there too.
 */
function readString(source: string, start: number): Token {
  const quote = source[start];
  let value = '';
  // Byte escapes (\xhh, \ooo) in a row are bytes, read as UTF-8 together, as Go's unquoting gives them: "\xc3\xa9" is é.
  let bytes: number[] = [];
  const flushBytes = () => {
    if (bytes.length > 0) {
      value += Buffer.from(bytes).toString('utf8');
      bytes = [];
    }
  };
  let i = start + 1;
  while (i < source.length) {
    const c = source[i];
    if (c === quote) {
      flushBytes();
      return { type: 'string', text: source.slice(start, i + 1), offset: start, stringValue: value };
    }
    if (quote !== '`' && c === '\n') {
      break;
    }
    if (c === '\\' && quote !== '`') {
      const next = source[i + 1];
      if (next === undefined) {
        break;
      }
      if (next in SIMPLE_ESCAPES || next === quote) {
        flushBytes();
        value += SIMPLE_ESCAPES[next] ?? next;
        i += 2;
        continue;
      }
      const numeric = next >= '0' && next <= '7' ? OCTAL_ESCAPE : NUMERIC_ESCAPES[next];
      if (numeric) {
        const first = i + 1 + numeric.skip;
        const digits = source.slice(first, first + numeric.digits);
        const valid = numeric.base === 8 ? /^[0-7]+$/ : /^[0-9A-Fa-f]+$/;
        if (digits.length < numeric.digits || !valid.test(digits)) {
          throw new QueryParseError(
            i + 1,
            `illegal character in escape sequence \\${source.slice(i + 1, first + numeric.digits)}`
          );
        }
        const code = parseInt(digits, numeric.base);
        if (code > numeric.max || (code >= 0xd800 && code < 0xe000)) {
          throw new QueryParseError(
            i + 1,
            `escape sequence \\${source.slice(i + 1, first + numeric.digits)} is an invalid Unicode code point`
          );
        }
        if (numeric.max === 0xff) {
          bytes.push(code);
        } else {
          flushBytes();
          value += String.fromCodePoint(code);
        }
        i = first + numeric.digits;
        continue;
      }
      throw new QueryParseError(i + 1, `unknown escape sequence \\${next} in string literal`);
    }
    flushBytes();
    value += c;
    i++;
  }
  throw new QueryParseError(start + 1, `unterminated string literal starting with ${quote}`);
}

/** PromQL's duration units (the engine's one table), and a pattern taking the longest unit first ("ms" before "m"). */
const UNIT_MS = new Map<string, number>(DURATION_UNITS);
const UNIT_TERM = new RegExp(`(\\d+)(${[...UNIT_MS.keys()].sort((a, b) => b.length - a.length).join('|')})`, 'g');

/** A duration token's milliseconds, units summed in any order (never less than a lenient upstream reads). */
export function durationTokenMs(text: string): number {
  let total = 0;
  for (const [, digits, unit] of text.matchAll(UNIT_TERM)) {
    total += Number(digits) * UNIT_MS.get(unit)!;
  }
  return total;
}

/**
 * The value of a number token as Prometheus reads it: Go's ParseInt with base 0 first (a leading 0 is octal: 010 is
 * 8; 0x hexadecimal), then ParseFloat (019 is 19).
 */
export function promqlNumber(text: string): number {
  return /^0[0-7]+$/.test(text) ? parseInt(text, 8) : Number(text);
}
