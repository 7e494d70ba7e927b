import { createRedactor } from '../src/redact';

describe('createRedactor', () => {
  const redact = createRedactor(['s3cr/t"x', 'user:s3cr/t"x']);

  it('removes a secret as written, in base64, and as a JSON string holds it (an upstream quoting it in JSON)', () => {
    expect(redact('pw=s3cr/t"x')).toBe('pw=[redacted]');
    expect(redact(`Basic ${Buffer.from('user:s3cr/t"x').toString('base64')}`)).toBe('Basic [redacted]');
    expect(redact(JSON.stringify({ error: 'pw=s3cr/t"x' }))).toBe('{"error":"pw=[redacted]"}');
    expect(redact('{"error":"pw=s3cr\\/t\\"x"}')).toBe('{"error":"pw=[redacted]"}');
  });

  it("removes a secret as Go's encoding/json escapes it (\\u0026 \\u003c \\u003e) and as a URL carries it", () => {
    const goRedact = createRedactor(['p&ss<w>rd !(x)']);
    expect(goRedact('{"error":"auth p\\u0026ss\\u003cw\\u003erd !(x) failed"}')).toBe(
      '{"error":"auth [redacted] failed"}'
    );
    expect(goRedact('GET /query?p=p%26ss%3Cw%3Erd%20!(x) failed')).toBe('GET /query?p=[redacted] failed');
    expect(goRedact('GET /query?p=p%26ss%3Cw%3Erd+%21%28x%29')).toBe('GET /query?p=[redacted]');
    expect(goRedact('GET /query?p=p%26ss%3cw%3erd+%21%28x%29')).toBe('GET /query?p=[redacted]');
    // A URL quoted inside a Go JSON error: percent-encoded, then its & escaped.
    const both = createRedactor(['a b&c']);
    expect(both('{"error":"Get \\"http://x/?p=a+b%26c\\u0026q=1\\""}')).toBe(
      '{"error":"Get \\"http://x/?p=[redacted]\\u0026q=1\\""}'
    );
    expect(both('{"error":"p=a b\\u0026c"}')).toBe('{"error":"p=[redacted]"}');
  });

  it("leaves the client's own text as it sent it (no oracle)", () => {
    expect(redact('pw=s3cr/t"x', ['s3cr/t"x'])).toBe('pw=s3cr/t"x');
  });
});
