/**
 * The strings a query spells, decoded as its upstream decodes them: PromQL string literals (Go's escapes: `\x2d`,
 * `\u2014`, octal, ...) and, inside them, InfluxQL strings and quoted identifiers (an `influxql("...")` statement).
 * An upstream's error message (a regex that does not compile, a bad label name) and the proxy's own quote these
 * decoded, so redaction must count them as the client's own text too (createRedactor's `clientSent`): else a secret
 * spelled with escapes comes back redacted, and a right guess answers differently from a wrong one.
 */
import { tokenizeInfluxql } from '../upstreams/influxql/influxqlLexer';
import { tokenize } from './lexer';

/** Longer texts are not looked into: no query parameter that long reaches an upstream (limits.maxQueryLength). */
const LONGEST_TEXT = 1 << 16;

/** The decoded string literals of `text` read as PromQL, and of those read as InfluxQL; none if it does not lex. */
export function spelledStrings(text: string): string[] {
  const strings = decodedLiterals(text, (source) =>
    tokenize(source)
      .filter((token) => token.type === 'string')
      .map((token) => token.stringValue ?? '')
  );
  const influx = strings.flatMap((string) =>
    decodedLiterals(string, (source) =>
      tokenizeInfluxql(source)
        .filter((token) => token.type === 'string' || token.type === 'quotedIdentifier' || token.type === 'regex')
        .map((token) => token.text)
    )
  );
  return [...strings, ...influx];
}

function decodedLiterals(text: string, lex: (source: string) => string[]): string[] {
  if (text.length > LONGEST_TEXT || !/["'`\\]/.test(text)) {
    return [];
  }
  try {
    return lex(text).filter((value) => value !== '');
  } catch {
    return []; // not a query: its text, as sent, is all it can be quoted as
  }
}
