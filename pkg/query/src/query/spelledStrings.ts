/**
 * The strings a query spells, decoded as its upstream decodes them: PromQL string literals (Go's escapes: `\x2d`,
 * `\u2014`, octal, ...) and, inside them, InfluxQL strings, quoted identifiers and regexes (an `influxql("...")`
 * statement). An upstream's error message (a regex that does not compile, a bad label name) and the proxy's own quote
 * these decoded, so redaction must count them as the client's own text too (createRedactor's `clientSent`): else a
 * secret spelled with escapes comes back redacted, and a right guess answers differently from a wrong one.
 */
import { QueryParseError } from '../errors';
import { InfluxqlError, tokenizeInfluxql } from '../upstreams/influxql/influxqlLexer';
import { tokenize } from './lexer';

/** Longer texts are not looked into: no query parameter that long reaches an upstream (limits.maxQueryLength). */
const LONGEST_TEXT = 1 << 16;

/** Times a text that does not lex is cut before its error and lexed again (each cut is shorter). */
const CUTS = 4;

/**
 * The decoded string literals of `text` read as PromQL, and of those read as InfluxQL. A text that does not lex gives
 * the strings before its first error: Prometheus parses as it lexes, so a matcher's regex before a broken string at
 * the end is compiled (and quoted in its error) before the lexer reaches the break.
 */
export function spelledStrings(text: string): string[] {
  const strings = literalsBeforeError(text, (source) => {
    try {
      return tokenize(source)
        .filter((token) => token.type === 'string')
        .map((token) => token.stringValue ?? '');
    } catch (error) {
      return error instanceof QueryParseError ? error.position - 1 : undefined;
    }
  });
  const influx = strings.flatMap((string) =>
    literalsBeforeError(string, (source) => {
      try {
        return tokenizeInfluxql(source)
          .filter((token) => token.type === 'string' || token.type === 'quotedIdentifier' || token.type === 'regex')
          .map((token) => token.text);
      } catch (error) {
        return error instanceof InfluxqlError ? error.offset : undefined;
      }
    })
  );
  return [...strings, ...influx];
}

/** The literals `lex` finds in `text`, or in its part before the offset `lex` returns for an error. */
function literalsBeforeError(text: string, lex: (source: string) => string[] | number | undefined): string[] {
  if (text.length > LONGEST_TEXT || !/["'`\\/]/.test(text)) {
    return [];
  }
  let source = text;
  for (let cut = 0; cut <= CUTS; cut++) {
    const lexed = lex(source);
    if (Array.isArray(lexed)) {
      return lexed.filter((value) => value !== '');
    }
    if (lexed === undefined || lexed <= 0 || lexed >= source.length) {
      return [];
    }
    source = source.slice(0, lexed);
  }
  return [];
}
