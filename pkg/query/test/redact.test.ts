import { MIN_FREE_FORM_LENGTH, createLogLineRedactor, createRedactor } from '../src/redact';

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

describe('createLogLineRedactor', () => {
  /** The redacted strings of a JSON log line holding `text` as its message. */
  const logged = (secrets: string[], text: string) =>
    JSON.parse(createLogLineRedactor(secrets)(JSON.stringify({ level: 30, msg: text }) + '\n')).msg;

  it('removes a short secret (under MIN_FREE_FORM_LENGTH) only as a token: not from numbers, addresses, paths, words', () => {
    expect('ab'.length).toBeLessThan(MIN_FREE_FORM_LENGTH);
    const kept = 'time 1796469058750 /api/v1/query tab abc 127.0.0.1 web-1 x_ab ab.cd';
    expect(logged(['1', 'ab'], kept)).toBe(kept);
    expect(logged(['1', 'ab'], 'tenant 1, org ab: 1')).toBe('tenant [redacted], org [redacted]: [redacted]');
    expect(logged(['1', 'ab'], 'X-Scope-OrgID=1&x=ab')).toBe('X-Scope-OrgID=[redacted]&x=[redacted]');
  });

  it('removes a short secret at the end of a sentence, next to an escape, or after a newline (a review found them kept)', () => {
    expect(logged(['pw12345'], 'wrong password pw12345.')).toBe('wrong password [redacted].');
    expect(logged(['pw12345'], 'bad \\u003cpw12345\\u003e')).toBe('bad \\u003c[redacted]\\u003e');
    expect(logged(['pw12345'], 'x=%3Dpw12345%26')).toBe('x=%3D[redacted]%26');
    expect(logged(['pw12345'], 'upstream said:\npw12345\tfoo')).toBe('upstream said:\n[redacted]\tfoo');
    expect(logged(['pw12345'], 'upstream said:\\npw12345')).toBe('upstream said:\\n[redacted]');
    // A long one goes wherever it is, inside other text too.
    expect(logged(['s3cretTok'], 'Bearers3cretTokX')).toBe('Bearer[redacted]X');
  });

  it("keeps the line JSON whatever a short secret's digits match, and removes it from strings and keys", () => {
    const redactLine = createLogLineRedactor(['1', 'tok-ABC123']);
    const line = JSON.stringify({
      level: 30,
      time: 1796469058750,
      pid: 1,
      tenant: '1',
      url: '/api/v1/query',
      labels: { host: 'tok-ABC123', 1: 'x' },
      msg: 'trained 1 model',
    });
    const redacted = redactLine(line + '\n');
    expect(redacted.endsWith('\n')).toBe(true);
    expect(JSON.parse(redacted)).toEqual({
      level: 30,
      time: 1796469058750,
      pid: 1,
      tenant: '[redacted]',
      url: '/api/v1/query',
      labels: { host: '[redacted]', '[redacted]': 'x' },
      msg: 'trained [redacted] model',
    });
  });

  it('returns a line without secrets as it is, and redacts a line that is not JSON as text', () => {
    const redactLine = createLogLineRedactor(['tok-ABC123', '1']);
    const clean = '{"level":30,"time":1.50,"msg":"ok"}\n';
    expect(redactLine(clean)).toBe(clean);
    expect(redactLine('stopped: tok-ABC123\n')).toBe('stopped: [redacted]\n');
  });
});

describe('createRedactor, for what a client reads', () => {
  it('removes every form wherever it is, short ones too (what the client reads is not a log line)', () => {
    expect(createRedactor(['pw12345'])('wrong password pw12345.')).toBe('wrong password [redacted].');
    expect(createRedactor(['1'])('v1')).toBe('v[redacted]');
  });
});
