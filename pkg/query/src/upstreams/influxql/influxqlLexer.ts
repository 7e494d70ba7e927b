/**
 * InfluxQL 1.x tokens, as InfluxDB's own scanner reads them: keywords are case-insensitive, identifiers are bare
 * (`[A-Za-z_][A-Za-z0-9_]*`) or double-quoted, strings single-quoted (escapes \\ \" \' \n only), comments `--` and
 * block comments, regexes `/.../` where a value may start. Grafana's macros (`$timeFilter`, `$interval`,
 * `$__interval`, `$__interval_ms`) are tokens of their own. Any other character (a Unicode quote, a full-width
 * semicolon, a no-break space: InfluxDB's whitespace is space, tab, CR and LF only) is an error with its position:
 * what InfluxDB would read differently never gets through.
 */

export type InfluxTokenType =
  | 'keyword'
  | 'identifier'
  | 'quotedIdentifier'
  | 'string'
  | 'number'
  | 'integer'
  | 'duration'
  | 'regex'
  | 'macro'
  | 'operator'
  | 'end';

export interface InfluxToken {
  type: InfluxTokenType;
  /** Source text; for keywords upper-cased, for (quoted) identifiers and strings the decoded value. */
  text: string;
  /** 0-based offset in the statement. */
  offset: number;
}

/** An InfluxQL statement the proxy does not accept, with the 0-based offset of what it refuses. */
export class InfluxqlError extends Error {
  constructor(
    readonly offset: number,
    readonly reason: string
  ) {
    super(`InfluxQL at char ${offset + 1}: ${reason}`);
    this.name = 'InfluxqlError';
  }
}

/** InfluxDB 1.x's keywords: bare, they are never identifiers. */
const KEYWORDS = new Set(
  (
    'ALL ALTER ANALYZE AND ANY AS ASC BEGIN BY CARDINALITY CREATE CONTINUOUS DATABASE DATABASES DEFAULT DELETE DESC ' +
    'DESTINATIONS DIAGNOSTICS DISTINCT DROP DURATION END EVERY EXACT EXPLAIN FIELD FOR FROM GRANT GRANTS GROUP GROUPS ' +
    'IN INF INSERT INTO KEY KEYS KILL LIMIT MEASUREMENT MEASUREMENTS NAME OFFSET ON OR ORDER PASSWORD POLICY POLICIES ' +
    'PRIVILEGES QUERIES QUERY READ REPLICATION RESAMPLE RETENTION REVOKE SELECT SERIES SET SHARD SHARDS SLIMIT ' +
    'SOFFSET STATS SUBSCRIPTION SUBSCRIPTIONS TAG TO USER USERS VALUES WHERE WITH WRITE TRUE FALSE'
  ).split(' ')
);

export const MACROS = ['$timeFilter', '$__interval_ms', '$__interval', '$interval'];

const OPERATORS = ['=~', '!~', '!=', '<>', '<=', '>=', '::', '=', '<', '>', '+', '-', '*', '/', '%', '&', '|', '^'];
const PUNCTUATION = ['(', ')', ',', ';', '.'];
const DURATION_UNITS = /^(?:ns|ms|u|µ|s|m|h|d|w)(?![A-Za-z0-9_])/;
const BARE_IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*/;
const NUMBER = /^(?:\d+\.\d*|\.\d+|\d+)/;

/** Token types after which `/` divides; anywhere else it opens a regex. */
const VALUE_ENDS: ReadonlySet<InfluxTokenType> = new Set([
  'identifier',
  'quotedIdentifier',
  'string',
  'number',
  'integer',
  'duration',
  'regex',
  'macro',
]);

/** C0 controls but tab, LF and CR, and DEL. */
const CONTROL_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

function unexpectedCharacter(statement: string, at: number): InfluxqlError {
  const code = statement.codePointAt(at)!;
  return new InfluxqlError(
    at,
    `unexpected character "${String.fromCodePoint(code)}" (U+${code.toString(16).toUpperCase().padStart(4, '0')})`
  );
}

export function tokenizeInfluxql(source: string): InfluxToken[] {
  // InfluxDB's reader turns every CR (and CR LF) into LF before its scanner sees it: a `--` comment ends at a lone
  // CR there, and a CR inside a string, quoted identifier or regex is a newline. Read it so here too (one for one,
  // so offsets stay those of the source).
  const statement = source.replace(/\r/g, '\n');
  // InfluxDB's scanner reads U+0000 as the end of its input, and so ends a `--` comment there: a `;` after it began a
  // second statement that the comment hid from this lexer (an attack review: CREATE USER ran). No control character
  // but tab, CR and LF is read anywhere, comments included.
  const control = CONTROL_CHARACTER.exec(statement);
  if (control) {
    throw unexpectedCharacter(statement, control.index);
  }
  const tokens: InfluxToken[] = [];
  let i = 0;
  const previous = () => tokens[tokens.length - 1];
  while (i < statement.length) {
    const c = statement[i];
    const rest = statement.slice(i);
    if (c === ' ' || c === '\t' || c === '\n') {
      i++;
    } else if (rest.startsWith('--')) {
      const end = statement.indexOf('\n', i);
      i = end < 0 ? statement.length : end + 1;
    } else if (rest.startsWith('/*')) {
      const end = statement.indexOf('*/', i + 2);
      if (end < 0) {
        throw new InfluxqlError(i, 'unterminated comment');
      }
      i = end + 2;
    } else if (c === '"' || c === "'") {
      const { value, end } = readQuoted(statement, i);
      tokens.push({ type: c === '"' ? 'quotedIdentifier' : 'string', text: value, offset: i });
      i = end;
    } else if (c === '/' && !(previous() && (VALUE_ENDS.has(previous().type) || previous().text === ')'))) {
      const { value, end } = readRegex(statement, i);
      tokens.push({ type: 'regex', text: value, offset: i });
      i = end;
    } else if (c === '$') {
      const macro = MACROS.find((name) => rest.startsWith(name) && !/^[A-Za-z0-9_]/.test(rest.slice(name.length)));
      if (!macro) {
        throw new InfluxqlError(i, `unknown macro ${/^\$[A-Za-z0-9_]*/.exec(rest)![0]} (known: ${MACROS.join(', ')})`);
      }
      tokens.push({ type: 'macro', text: macro, offset: i });
      i += macro.length;
    } else if (/[0-9.]/.test(c) && NUMBER.test(rest)) {
      const number = NUMBER.exec(rest)![0];
      const unit = /^\d+$/.test(number) ? DURATION_UNITS.exec(rest.slice(number.length)) : null;
      if (unit) {
        tokens.push({ type: 'duration', text: number + unit[0], offset: i });
        i += number.length + unit[0].length;
      } else if (/^[A-Za-z_]/.test(rest.slice(number.length))) {
        throw new InfluxqlError(i, `unexpected "${rest.slice(0, number.length + 1)}"`);
      } else {
        tokens.push({ type: /^\d+$/.test(number) ? 'integer' : 'number', text: number, offset: i });
        i += number.length;
      }
    } else if (BARE_IDENTIFIER.test(rest)) {
      const word = BARE_IDENTIFIER.exec(rest)![0];
      if (statement[i + word.length] === '"') {
        // InfluxDB 1.6's scanner reads `word"quoted"` as one identifier (and drops the word): `SELECT"usage"` is not
        // a SELECT there, `count(DISTINCT"usage")` a count of "usage". Refused rather than read otherwise here.
        throw new InfluxqlError(i + word.length, `write a space between ${word} and the quoted identifier after it`);
      }
      const upper = word.toUpperCase();
      tokens.push(
        KEYWORDS.has(upper)
          ? { type: 'keyword', text: upper, offset: i }
          : { type: 'identifier', text: word, offset: i }
      );
      i += word.length;
    } else {
      const operator = [...OPERATORS, ...PUNCTUATION].find((op) => rest.startsWith(op));
      if (!operator) {
        throw unexpectedCharacter(statement, i);
      }
      tokens.push({ type: 'operator', text: operator, offset: i });
      i += operator.length;
    }
  }
  tokens.push({ type: 'end', text: '', offset: statement.length });
  return tokens;
}

/** A '...' string or "..." identifier: escapes \\ \" \' and \n only; no raw newline or CR (InfluxDB's rules). */
function readQuoted(statement: string, start: number): { value: string; end: number } {
  const quote = statement[start];
  let value = '';
  for (let i = start + 1; i < statement.length; i++) {
    const c = statement[i];
    if (c === quote) {
      return { value, end: i + 1 };
    }
    if (c === '\n') {
      break;
    }
    if (c === '\\') {
      const next = statement[i + 1];
      const escaped: Record<string, string> = { '\\': '\\', '"': '"', "'": "'", n: '\n' };
      if (next === undefined || !(next in escaped)) {
        throw new InfluxqlError(i, `bad escape \\${next ?? ''}`);
      }
      value += escaped[next];
      i++;
      continue;
    }
    value += c;
  }
  throw new InfluxqlError(start, `unterminated ${quote === '"' ? 'quoted identifier' : 'string'}`);
}

/** A /regex/: `\/` is a slash inside it; no raw newline. */
function readRegex(statement: string, start: number): { value: string; end: number } {
  let value = '';
  for (let i = start + 1; i < statement.length; i++) {
    const c = statement[i];
    if (c === '/') {
      return { value, end: i + 1 };
    }
    if (c === '\n') {
      break;
    }
    if (c === '\\' && statement[i + 1] === '/') {
      value += '/';
      i++;
      continue;
    }
    value += c;
  }
  throw new InfluxqlError(start, 'unterminated regex');
}
