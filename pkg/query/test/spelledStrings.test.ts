import { spelledStrings } from '../src/query/spelledStrings';

describe('spelledStrings', () => {
  it('decodes PromQL string literals as Prometheus does (Go escapes), in every quoting', () => {
    expect(spelledStrings('{a=~"pw\\x2dS3cret(", b=\'pw\\u002dS3cret\', c=`raw\\x2d`}')).toEqual([
      'pw-S3cret(',
      'pw-S3cret',
      'raw\\x2d',
    ]);
    expect(spelledStrings('label_replace(up, "pw\\055S3cret", "$1", "job", "(.*)")')).toContain('pw-S3cret');
  });

  it('decodes the InfluxQL strings, identifiers and regexes of an influxql("…") statement too', () => {
    // The query as sent: influxql("SELECT v FROM \"cpu\" WHERE h = 'it\\'s' AND x =~ /r\\/e/")
    const query = 'influxql("SELECT v FROM \\"cpu\\" WHERE h = \'it\\\\\'s\' AND x =~ /r\\\\/e/")';
    expect(spelledStrings(query)).toEqual(expect.arrayContaining(['cpu', "it's", 'r/e']));
  });

  it('decodes the strings before a lexing error: Prometheus compiles a regex before its lexer reaches a break', () => {
    expect(spelledStrings('{a=~"pw\\x2dS3cret("} + {b="unterminated')).toEqual(['pw-S3cret(']);
    expect(spelledStrings('{a=~"pw\\x2dS3cret("} + {b="bad \\q escape"}')).toEqual(['pw-S3cret(']);
  });

  it('finds nothing in text without quotes, in text that does not lex, or in text past the length looked into', () => {
    expect(spelledStrings('rate(up[5m])')).toEqual([]);
    expect(spelledStrings('{a="unterminated')).toEqual([]);
    expect(spelledStrings(`"${'x'.repeat(70_000)}"`)).toEqual([]);
  });
});
