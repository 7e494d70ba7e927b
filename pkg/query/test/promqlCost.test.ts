// The cost of the PromQL an anomaly query wraps (subqueries, ranges, offsets, @), checked before the proxy sends it.
import fc from 'fast-check';
import { mutated } from './support/mutated';
import { DEFAULT_LIMITS } from '../src/config';
import { PromApiError } from '../src/errors';
import { parseQuery } from '../src/query/anomalyQuery';
import { durationTokenMs, tokenize } from '../src/query/lexer';
import {
  type PromqlFetch,
  MAX_COUNTED_SELECTORS,
  MAX_SERIES_LISTINGS,
  MAX_SUBQUERIES,
  checkPromqlCost,
  checkSubquerySeries,
} from '../src/query/promqlCost';
import { selectorsOf } from '../src/query/operandSelectors';

const DAY = 86_400_000;
/** A default training fetch: one day at one minute (1441 steps). */
const TRAINING: PromqlFetch = { startMs: 0, endMs: DAY, stepMs: 60_000 };

/** The refusal of the anomaly query's wrapped PromQL over `fetch`, or undefined when it is accepted. */
function refusal(query: string, fetch: PromqlFetch = TRAINING, limits = DEFAULT_LIMITS): PromApiError | undefined {
  const parsed = parseQuery(query);
  if (parsed.kind !== 'anomaly' || parsed.query.inner.language !== 'promql') {
    throw new Error(`not an anomaly query over PromQL: ${query}`);
  }
  try {
    checkPromqlCost(parsed.query.inner.expression, parsed.query.inner.offset, fetch, limits);
    return undefined;
  } catch (error) {
    if (error instanceof PromApiError) {
      return error;
    }
    throw error;
  }
}

describe('the lexer reads subquery brackets as Prometheus does', () => {
  it.each([
    ['m[3d:1ms]', ['m', '[', '3d', ':', '1ms', ']']],
    ['m[5m:]', ['m', '[', '5m', ':', ']']],
    [
      'rate(m[1h30m])[1d:5m] offset -1h',
      ['rate', '(', 'm', '[', '1h30m', ']', ')', '[', '1d', ':', '5m', ']', 'offset', '-', '1h'],
    ],
    ['a:b:c[5m]', ['a:b:c', '[', '5m', ']']],
  ])('%s', (source, texts) => {
    expect(tokenize(source).map((t) => t.text)).toEqual([...texts, '']);
    const durations = tokenize(source).filter((t) => t.type === 'duration');
    expect(durations.every((t) => /^(\d+(ms|s|m|h|d|w|y))+$/.test(t.text))).toBe(true);
  });

  // Prometheus 2.42's promql/parser/lex.go: lexEscape (the escapes), lexComment (ends at isEndOfLine: \r or \n).
  it.each([
    ['"\\x41"', 'A'],
    ['"\\101"', 'A'],
    ['"\\u00e9"', '\u00e9'],
    ['"\\U0001F600"', '\u{1F600}'],
    ['"\\a\\b\\f\\n\\r\\t\\v\\\\\\""', '\x07\b\f\n\r\t\v\\"'],
    ["'\\''", "'"],
    ['`\\x41`', '\\x41'],
    // Byte escapes are bytes, read as UTF-8 together (Go's unquoting): é.
    ['"caf\\xc3\\xa9"', 'caf\u00e9'],
    ['"\\303\\251!"', '\u00e9!'],
  ])('decodes the string literal %s as Prometheus does', (literal, value) => {
    const [token] = tokenize(literal);
    expect(token).toMatchObject({ type: 'string', text: literal, stringValue: value });
  });

  it.each([
    ['m{a="\\q"}', 6, 'unknown escape sequence \\q'],
    ['m{a="\\\'"}', 6, "unknown escape sequence \\'"],
    ['m{a="\\x4"}', 6, 'illegal character in escape sequence \\x4"'],
    ['m{a="\\xZZ"}', 6, 'illegal character'],
    ['m{a="\\18"}', 6, 'illegal character'],
    ['m{a="\\uD800"}', 6, 'invalid Unicode code point'],
    ['m{a="\\U00110000"}', 6, 'invalid Unicode code point'],
    ['m{a="\\400"}', 6, 'invalid Unicode code point'],
  ])('refuses %s at char %i, as Prometheus refuses it', (source, position, reason) => {
    expect(() => tokenize(source)).toThrow(
      expect.objectContaining({ position, reason: expect.stringContaining(reason) })
    );
    // A plain query that does not lex is refused too: passed on unlexed, it would pass on unchecked.
    expect(() => parseQuery(source)).toThrow(expect.objectContaining({ position }));
  });

  it('reads any letter or "_" inside brackets as the subquery colon, once, as Prometheus does', () => {
    expect(tokenize('m[30d x 1ms]').map((t) => t.text)).toEqual(['m', '[', '30d', ':', '1ms', ']', '']);
    expect(tokenize('m[30d _1ms]').map((t) => t.text)).toEqual(['m', '[', '30d', ':', '1ms', ']', '']);
    expect(tokenize('m[5m x]').map((t) => t.text)).toEqual(['m', '[', '5m', ':', ']', '']);
    // A second one is Prometheus' error too.
    expect(() => tokenize('m[1m x y 1s]')).toThrow(expect.objectContaining({ position: 8 }));
    expect(() => tokenize('m[1m:1s:]')).toThrow(expect.objectContaining({ position: 8 }));
    // Outside brackets a letter is a name as ever; a new bracket has its own colon.
    expect(tokenize('a[5m:1m] + b[1h]').filter((t) => t.text === ':')).toHaveLength(1);
  });

  it('ends a comment at \\r as at \\n: what follows is read (and its subquery checked)', () => {
    expect(tokenize('m # x\r* 0 + n[3d:1ms]').map((t) => t.text)).toEqual([
      'm',
      '*',
      '0',
      '+',
      'n',
      '[',
      '3d',
      ':',
      '1ms',
      ']',
      '',
    ]);
    expect(tokenize('m # x\n+ n').map((t) => t.text)).toEqual(['m', '+', 'n', '']);
  });

  it('sums duration units', () => {
    expect(durationTokenMs('1h30m')).toBe(5_400_000);
    expect(durationTokenMs('1ms')).toBe(1);
    expect(durationTokenMs('3d')).toBe(3 * DAY);
  });
});

describe('checkPromqlCost', () => {
  it("refuses the colleague's query before any fetch, naming the position and the limit", () => {
    const query = 'anomaly_flag(max_over_time(m[3d:1ms]))';
    const error = refusal(query)!;
    expect(error).toBeInstanceOf(PromApiError);
    expect([error.httpStatus, error.errorType]).toEqual([400, 'bad_data']);
    expect(error.message).toBe(
      `subquery [3d:1ms] at char ${query.indexOf('[') + 1} would have the upstream evaluate its expression at ` +
        '345600001 steps per series (4d fetched and looked back / resolution 1ms); at most 111000 ' +
        '(limits.maxTrainingPointsPerSeries + limits.maxPointsPerSeries): coarsen its resolution or shorten its range'
    );
  });

  it.each([
    'anomaly_flag(m)',
    'anomaly_flag(rate(m[5m]))',
    'anomaly_flag(max_over_time(m[1h:1m]))',
    'anomaly_flag(max_over_time(rate(m[5m])[1h:]))',
    'anomaly_flag(max_over_time(m{a="[3d:1ms]"}[30m:1m]))', // the text of a string is not a subquery
    "anomaly_flag(max_over_time(m{a='x\\'[3d:1ms]'}[30m:1m]))",
    'anomaly_flag(max_over_time(m{a=`[3d:1ms]`}[30m:1m]))',
    'anomaly_flag(max_over_time(m[30m:1m]) # [3d:1ms]\n)', // nor a comment
    'anomaly_flag(sum_over_time(m[10y]))', // a range selector: Prometheus' max-samples bounds it
    'anomaly_flag(m offset 1w)',
    'anomaly_flag(m @ 1700000000)',
  ])('accepts %s', (query) => {
    expect(refusal(query)).toBeUndefined();
  });

  it.each([
    ['anomaly_flag(max_over_time(m[1d:1s]))', /steps per series .*limits\.maxTrainingPointsPerSeries/],
    ['anomaly_flag(max_over_time(m[1h30m:10ms]))', /subquery \[1h30m:10ms\] at char 29/],
    // Without a resolution: the smaller of the step and the evaluation interval assumed (15s, deploy/prometheus.yml).
    ['anomaly_flag(max_over_time(m[100d:]))', /subquery \[100d:\] .* resolution 15s\)/],
    ['anomaly_flag(max_over_time(m[20d:]))', /subquery \[20d:\] .* resolution 15s\)/],
    ['anomaly_flag(max_over_time(m[1h:0s]))', /the resolution must be more than 0/],
    ['anomaly_flag(max_over_time(m[1h:-1m]))', /expected \[<range>:<resolution>\]/],
    ['anomaly_flag(max_over_time(m[99999999999999999999d:1m]))', /subquery range .* beyond the times/],
    ['anomaly_flag(m offset 99999999999y)', /offset 99999999999y at char 23 is beyond the times/],
    ['anomaly_flag(m OFFSET -99999999999y)', /offset 99999999999y at char 24 is beyond the times/],
    ['anomaly_flag(m @ 1e300)', /@ 1e300 at char 18 is beyond the times/],
    ['anomaly_flag(rate(m[99999999999y]))', /range \[99999999999y\] at char 21 is beyond the times/],
  ])('refuses %s', (query, message) => {
    expect(refusal(query)?.message).toMatch(message);
  });

  it('multiplies nested subqueries: each fine alone, too much together', () => {
    // 1441 steps x 60 x 60 = 5.2M evaluations per series: within 10M; x 120 x 60 = 10.4M: beyond.
    expect(refusal('anomaly_flag(max_over_time(max_over_time(m[1h:1m])[1h:1m]))')).toBeUndefined();
    const error = refusal('anomaly_flag(max_over_time(max_over_time(m[2h:1m])[1h:1m]))')!;
    expect(error.message).toMatch(
      /^subquery \[2h:1m\] at char 43 would have the upstream evaluate 10375200 samples per series \(1441 steps of 1m x 7200 per step, nested subqueries multiplied\); at most 10000000 \(limits\.maxSamplesPerQuery\)/
    );
    expect(refusal('anomaly_flag(max_over_time(m[2h:1m]) + max_over_time(m[1h:1m]))')).toBeUndefined();
  });

  it.each(['m[(1d+1d+1d):1ms]', 'm[ 1d + 1d + 1d : 1ms ]', 'm[2d-1h-1h-1h:1ms]'])(
    'refuses a subquery whose range is not one duration, however many tokens come before its ":": %s',
    (inner) => {
      // Durations as expressions (Prometheus' promql-duration-expr, MetricsQL) are not read: refused, not skipped.
      expect(refusal(`anomaly_flag(max_over_time(${inner}))`)?.message).toMatch(/expected \[<range>:<resolution>\]/);
    }
  );

  it.each([
    'max_over_time(sum(max_over_time(m[2h:1m])) by (job)[1h:1m])',
    'max_over_time(sum(max_over_time(m[2h:1m])) WITHOUT (a, b)[1h:1m])',
    'max_over_time(topk(1, max_over_time(m[2h:1m])) by (job) [1h:1m])',
  ])('nests a subquery of an aggregation with its modifier after the arguments: %s', (inner) => {
    // The same costs as the nested case above: the outer subquery applies to the whole aggregation, its inner one too.
    expect(refusal(`anomaly_flag(${inner})`)?.message).toMatch(/^subquery \[2h:1m\] .* nested subqueries multiplied/);
  });

  it('counts the span fetched and the enclosing ranges in the points a subquery holds', () => {
    const limits = { ...DEFAULT_LIMITS, maxTrainingPointsPerSeries: 1_000, maxPointsPerSeries: 440 };
    // (1 d span + 1 min) / 1 min + 1 = 1442 > 1440.
    expect(refusal('anomaly_flag(max_over_time(m[1m:1m]))', TRAINING, limits)?.message).toMatch(/1442 steps/);
    expect(refusal('anomaly_flag(max_over_time(m[1m:1m]))', { ...TRAINING, endMs: DAY / 2 }, limits)).toBeUndefined();
    expect(
      refusal('anomaly_flag(max_over_time(max_over_time(m[1m:1m])[12h:1h]))', { ...TRAINING, endMs: DAY / 2 }, limits)
        ?.message
    ).toMatch(/subquery \[1m:1m\] .* 1442 steps/);
  });

  it('never throws anything but PromApiError, and returns on any text (fast-check)', () => {
    const subquery = fc
      .tuple(
        fc.constantFrom('m', 'rate(m[5m])', '(a + b)', 'max_over_time(m[1h:1m])', 'm{a="]"}'),
        fc.constantFrom('1h', '3d', '1h30m', '0s', '99999999999999999999y'),
        fc.constantFrom('1m', '1ms', '', '0s')
      )
      .map(([inner, range, resolution]) => `max_over_time(${inner}[${range}:${resolution}])`);
    const hostile = fc.oneof(
      fc.string({ maxLength: 120, unit: fc.constantFrom(...'m[]():1h3dms@ offset-"\'`#\n{}=,') }),
      fc.string({ maxLength: 80, unit: 'binary' }),
      mutated(subquery)
    );
    fc.assert(
      fc.property(hostile, fc.nat(1000), (expression, offset) => {
        try {
          checkPromqlCost(expression, offset, TRAINING, DEFAULT_LIMITS);
        } catch (error) {
          expect(error).toBeInstanceOf(PromApiError);
          expect((error as PromApiError).httpStatus).toBe(400);
        }
      }),
      { numRuns: 2000 }
    );
  });

  it('reads a query of many brackets in linear time', () => {
    expect(() => checkPromqlCost('m'.concat('['.repeat(8_000)), 0, TRAINING, DEFAULT_LIMITS)).not.toThrow();
    expect(() => checkPromqlCost('(m)[1m:1m]'.repeat(MAX_SUBQUERIES), 0, TRAINING, DEFAULT_LIMITS)).not.toThrow();
  });

  it.each([
    ['side by side', (n: number) => '(m)[1m:1m]'.repeat(n), (n: number) => 10 * n - 6],
    ['chained', (n: number) => 'm' + '[1m:1m]'.repeat(n), (n: number) => 7 * n - 5],
    ['nested', (n: number) => '('.repeat(n) + 'm' + ')[1m:1m]'.repeat(n), (n: number) => 9 * n - 5],
  ])('refuses more than MAX_SUBQUERIES subqueries %s, naming the first one too many', (_, expression, position) => {
    // Each subquery is checked against the others: 2 000 of them in a 16 KB query held the event loop ~0.3 s a
    // request (an attack review). MAX_SUBQUERIES of them are read; the next is refused at its position.
    const offset = 13; // as inside anomaly_flag(...)
    expect(() => checkPromqlCost(expression(MAX_SUBQUERIES), offset, TRAINING, DEFAULT_LIMITS)).not.toThrow();
    const tooMany = () => checkPromqlCost(expression(MAX_SUBQUERIES + 1), offset, TRAINING, DEFAULT_LIMITS);
    expect(tooMany).toThrow(
      `subquery [1m:1m] at char ${offset + position(MAX_SUBQUERIES + 1)}: more than ${MAX_SUBQUERIES} subqueries in one ` +
        'expression; the proxy checks what each makes the upstream compute, and refuses more'
    );
    // And a query as long as a parameter may be, of them all.
    const longest = expression(Math.floor(DEFAULT_LIMITS.maxQueryLength / 10));
    expect(() => checkPromqlCost(longest, offset, TRAINING, DEFAULT_LIMITS)).toThrow(/more than 64 subqueries/);
  });
});

describe('plain PromQL (passed through): the evaluations and the points bound by limits.maxSamplesPerQuery', () => {
  const instant: PromqlFetch = { startMs: DAY, endMs: DAY, stepMs: 15_000 };
  const plain = (expression: string, fetch: PromqlFetch) => () =>
    checkPromqlCost(expression, 0, fetch, DEFAULT_LIMITS, 'plain');

  it('accepts a long subquery an instant query evaluates once, which a wrapped one may not hold per series', () => {
    // 144 000 steps: more than a series may bring a model, fine for a client's one evaluation.
    expect(plain('max_over_time(m[100d:1m])', instant)).not.toThrow();
    expect(() => checkPromqlCost('max_over_time(m[100d:1m])', 0, instant, DEFAULT_LIMITS)).toThrow(
      /steps per series .*limits\.maxTrainingPointsPerSeries/
    );
  });

  it('refuses what would make Prometheus allocate for billions of steps, and absurd offsets', () => {
    expect(plain('max_over_time(m[30d:1ms])', instant)).toThrow(
      /^subquery \[30d:1ms\] at char 16 would have the upstream evaluate its expression at 2592000001 steps per series .*\(limits\.maxSamplesPerQuery\)/
    );
    expect(plain('rate(m[5m])[1d:1s]', TRAINING)).toThrow(/limits\.maxSamplesPerQuery/);
    expect(plain('m offset 99999999999y', instant)).toThrow(/beyond the times the proxy supports/);
  });

  it('counts the points a short subquery makes across a coarse step, and under an enclosing subquery', () => {
    // Few steps x few evaluations per step, yet Prometheus evaluates the expression every 1ms across the span.
    const coarse: PromqlFetch = { startMs: 0, endMs: 30 * DAY, stepMs: 30 * DAY };
    expect(plain('max_over_time(m[1s:1ms])', coarse)).toThrow(
      /^subquery \[1s:1ms\] at char 16 would have the upstream evaluate its expression at 2592001001 steps per series/
    );
    expect(plain('max_over_time(max_over_time(m[1s:1ms])[1y:1y])', instant)).toThrow(
      /^subquery \[1s:1ms\] at char 30 .* at \d{11} steps per series .*\(limits\.maxSamplesPerQuery\)/
    );
    // What dashboards ask stays accepted: an hourly max over 30 days at 1h steps.
    expect(plain('max_over_time(rate(m[5m])[1h:])', { startMs: 0, endMs: 30 * DAY, stepMs: 3_600_000 })).not.toThrow();
  });
});

describe('subqueries over all the series they apply to (checkSubquerySeries)', () => {
  const HOUR: PromqlFetch = { startMs: 0, endMs: 3_600_000, stepMs: 60_000 };
  /** The selectors listed, in order, each matching `series[selector]` series (1). */
  async function check(expression: string, series: Record<string, number>, fetch = HOUR) {
    const counted: string[] = [];
    const windows: Array<{ startMs: number; endMs: number }> = [];
    const outcome = await checkSubquerySeries(expression, 0, fetch, DEFAULT_LIMITS, async (selector, window) => {
      counted.push(selector);
      windows.push(window);
      return series[selector] ?? 1;
    }).then(
      () => 'accepted',
      (error: unknown) => (error instanceof PromApiError ? error.message : Promise.reject(error))
    );
    return { outcome, counted, windows };
  }

  it('counts no series for a subquery a range query could bring per series (limits.maxPointsPerSeries)', async () => {
    // (1h + 1h) / 1m = 121 steps, (1h + 1d) / 15s (no resolution: the assumed evaluation interval) = 6 001.
    expect(await check('max_over_time(rate(m[5m])[1h:1m])', {})).toMatchObject({ outcome: 'accepted', counted: [] });
    expect(await check('max_over_time(m[1d:])', {})).toMatchObject({ outcome: 'accepted', counted: [] });
  });

  it("refuses a long subquery whose steps over its operand's series pass limits.maxSamplesPerQuery", async () => {
    // An instant query (an attack review's): 1000s / 1ms = 1 000 001 steps per series, within checkPromqlCost's bound.
    const query = 'count_over_time({__name__=~"prometheus_http.*"}[1000s:1ms])';
    const instant: PromqlFetch = { startMs: DAY, endMs: DAY, stepMs: 15_000 };
    expect(() => checkPromqlCost(query, 0, instant, DEFAULT_LIMITS, 'plain')).not.toThrow();
    expect(await check(query, { '{__name__=~"prometheus_http.*"}': 2 }, instant)).toMatchObject({
      outcome: 'accepted',
      counted: ['{__name__=~"prometheus_http.*"}'],
    });
    const { outcome } = await check(query, { '{__name__=~"prometheus_http.*"}': 74 }, instant);
    expect(outcome).toBe(
      'subquery [1000s:1ms] at char 48 would have the upstream hold 74 series x 1000001 steps (74000074 points); ' +
        'at most 10000000 (limits.maxSamplesPerQuery): select fewer series, coarsen its resolution or shorten its range'
    );
  });

  it('bounds an operand by its selectors, not by what it yields at one instant (a time() filter, an attack review)', async () => {
    // The operand yields nothing at the query's time and every series of m at the subquery's earlier steps.
    const query = 'count_over_time((m and on() (vector(time()) < 1700000000))[3000s:1ms])';
    const { outcome, counted } = await check(query, { m: 5 });
    expect(counted).toEqual(['m']);
    // m's 5 series and vector()'s own.
    expect(outcome).toMatch(/would have the upstream hold 6 series x \d+ steps/);
  });

  it.each([
    ['m offset 1ms', 'count_over_time(m offset 1ms [3000s:1ms])'],
    ['m @ 1700000000', 'count_over_time(m @ 1700000000 [3000s:1ms])'],
    ['m @ end() offset -5m', 'count_over_time(m @ end() offset -5m [3000s:1ms])'],
    ['rate(m[5m]) offset 1h @ start()', 'count_over_time(rate(m[5m]) offset 1h @ start() [3000s:1ms])'],
  ])('counts the selectors of the operand with its modifiers, %s', async (_, query) => {
    const { outcome, counted } = await check(query, { m: 5 });
    expect(counted).toEqual(['m']);
    expect(outcome).toMatch(/would have the upstream hold 5 series x \d+ steps/);
  });

  it('lists the selectors over every time the expression can read: its durations added up, `@` times, lookback', async () => {
    const query = 'count_over_time(rate(m[5m]) offset 1h @ 1000 [3000s:1ms])';
    const fetch: PromqlFetch = { startMs: DAY, endMs: DAY + 3_600_000, stepMs: 60_000 };
    const { windows } = await check(query, {}, fetch);
    // 5m + 1h + 3000s + 1ms of durations, and the 5-minute lookback, before the earliest time (the `@`: 1000 s).
    const durations = 300_000 + 3_600_000 + 3_000_000 + 1;
    expect(windows).toEqual([{ startMs: 1_000_000 - durations - 300_000, endMs: fetch.endMs + durations }]);
  });

  it('counts a subquery of no selector (vector(1)) as one series, and refuses one of too many selectors', async () => {
    expect(await check('count_over_time(vector(1)[3000s:1ms])', {})).toMatchObject({
      outcome: 'accepted',
      counted: [],
    });
    const many = Array.from({ length: MAX_COUNTED_SELECTORS + 1 }, (_, k) => `m${k}`).join(' or ');
    const { outcome } = await check(`count_over_time((${many})[3000s:1ms])`, {});
    expect(outcome).toMatch(
      new RegExp(`reads ${MAX_COUNTED_SELECTORS + 1} selectors, .* at most ${MAX_COUNTED_SELECTORS}$`)
    );
  });

  it('counts the innermost subquery first, each with its own selectors, and stops at the first refused', async () => {
    const query = 'max_over_time( sum by (job) (rate(http_total{code="500"}[5m]))[2h:100ms] )[1d:1s]';
    const selector = 'http_total{code="500"}';
    // The outer subquery reads the inner one's selector: listed once, counted for both.
    expect(await check(query, { [selector]: 3 })).toMatchObject({ outcome: 'accepted', counted: [selector] });
    const refused = await check(query, { [selector]: 500 });
    expect(refused.counted).toEqual([selector]);
    expect(refused.outcome).toMatch(
      new RegExp(`^subquery \\[2h:100ms\\] at char ${query.indexOf('[2h') + 1} would have the upstream hold 500 series`)
    );
  });
});

describe('the listings one expression may cause (an attack review: 1 024 for one request)', () => {
  const INSTANT: PromqlFetch = { startMs: DAY, endMs: DAY, stepMs: 15_000 };
  /** The selectors listed, in order, each matching `series[selector]` series (1), and the outcome. */
  async function listings(expression: string, series: Record<string, number> = {}) {
    const listed: string[] = [];
    const outcome = await checkSubquerySeries(expression, 0, INSTANT, DEFAULT_LIMITS, async (selector) => {
      listed.push(selector);
      return series[selector] ?? 1;
    }).then(
      () => 'accepted',
      (error: unknown) => (error instanceof PromApiError ? error.message : Promise.reject(error))
    );
    return { outcome, listed };
  }
  /** `count` subqueries of 86 401 steps per series (long: listed), the k-th reading `operand(k)`, joined by `+`. */
  const subqueries = (count: number, operand: (k: number) => string) =>
    Array.from({ length: count }, (_, k) => `max_over_time((${operand(k)})[1d:1s])`).join('+');
  const SIXTEEN = (selector: string) => Array.from({ length: 16 }, () => selector).join('+');

  it('lists a selector once however many subqueries read it, and counts it for each time it is read', async () => {
    // The review's query: 64 subqueries, each the same selector 16 times.
    const query = subqueries(MAX_SUBQUERIES, () => SIXTEEN('{idx=~".*a"}'));
    expect(await listings(query)).toEqual({ outcome: 'accepted', listed: ['{idx=~".*a"}'] });
    // Read 16 times, its series count 16 times: 16 x 8 series x 86 401 steps pass the bound, as before.
    expect((await listings(query, { '{idx=~".*a"}': 8 })).outcome).toMatch(
      /^subquery \[1d:1s\] at char \d+ would have the upstream hold 128 series x 86401 steps/
    );
    // Spacing, comments and quotes do not make a selector another.
    expect((await listings(subqueries(2, (k) => (k === 0 ? 'm{a="x"}' : "m{ a = 'x' # c\n}")))).listed).toEqual([
      'm{a="x"}',
    ]);
  });

  it(`refuses an expression of more than MAX_SERIES_LISTINGS (${MAX_SERIES_LISTINGS}) distinct selectors before listing any, at the first past them`, async () => {
    const selector = (n: number) => `{idx="${n}"}`;
    /** `total` distinct selectors, 13 to a subquery (at most MAX_COUNTED_SELECTORS each). */
    const reading = (total: number) =>
      subqueries(Math.ceil(total / 13), (k) =>
        Array.from({ length: Math.min(13, total - k * 13) }, (_, j) => selector(k * 13 + j)).join(' or ')
      );
    const query = reading(MAX_SERIES_LISTINGS + 1);
    const first = query.indexOf(selector(MAX_SERIES_LISTINGS)) + 1;
    expect(await listings(query)).toEqual({
      outcome:
        `selector ${selector(MAX_SERIES_LISTINGS)} at char ${first}: long subqueries reading more than ` +
        `${MAX_SERIES_LISTINGS} distinct selectors, whose series the proxy lists before sending them (a request each); ` +
        `at most ${MAX_SERIES_LISTINGS}: read fewer distinct selectors, or shorten the subqueries to at most ` +
        `${DEFAULT_LIMITS.maxPointsPerSeries} steps per series`,
      listed: [],
    });
    // MAX_SERIES_LISTINGS of them are listed, each once.
    const within = await listings(reading(MAX_SERIES_LISTINGS) + '+' + reading(MAX_SERIES_LISTINGS));
    expect(within.outcome).toBe('accepted');
    expect(within.listed).toHaveLength(MAX_SERIES_LISTINGS);
  });

  it.each([
    [
      'a trailing operator',
      subqueries(2, () => 'm') + ' +',
      'unexpected end of input after "+"',
      (q: string) => q.length,
    ],
    [
      'an operator before a closing bracket',
      'max_over_time((m >)[1d:1s])',
      'unexpected ")": ">" has no operand after it',
      (q: string) => q.indexOf(')') + 1,
    ],
    ['a bracket never opened', 'max_over_time(m[1d:1s]))', 'unexpected ")": no "(" is open', (q: string) => q.length],
    ['a bracket left open', 'sum(max_over_time(m[1d:1s])', 'unclosed "("', () => 4],
    [
      'a bracket closed by another kind',
      'max_over_time((m}[1d:1s])',
      'unexpected "}": "(" at char 15 is not closed',
      (q: string) => q.indexOf('}') + 1,
    ],
  ])(
    'refuses an expression the upstream certainly refuses (%s) before listing anything',
    async (_, query, reason, position) => {
      expect(await listings(query)).toEqual({
        outcome: `parse error at char ${position(query)}: ${reason}`,
        listed: [],
      });
    }
  );

  it.each([
    '-max_over_time(m[1d:1s]) * -1',
    'max_over_time((m > bool 1)[1d:1s]) ^ +2',
    'max_over_time(m[1d:])',
    'max_over_time(rate(m[5m] @ end())[1d:1s] offset -5m)',
    'max_over_time(sum by (a,) (m{a="(", b=~"[}"})[1d:1s]) # a comment: (',
    'max_over_time((m + on(a) group_left() n{c!="]"})[1d:1s]) and on() vector(1)',
  ])('lists the selectors of an expression Prometheus parses, %s', async (query) => {
    expect((await listings(query)).outcome).toBe('accepted');
  });
});

describe('operands whose series their selectors do not bound (a review)', () => {
  const HOUR: PromqlFetch = { startMs: 0, endMs: 3_600_000, stepMs: 60_000 };
  const refusalOf = (query: string) =>
    checkSubquerySeries(query, 0, HOUR, DEFAULT_LIMITS, async () => 1).then(
      () => undefined,
      (error: unknown) => (error instanceof PromApiError ? error.message : Promise.reject(error))
    );

  it('refuses count_values in any subquery, short ones too: a series per value, at every step', () => {
    // [11s:1ms]: 11 001 steps per series and as many series, never counted as a long subquery.
    const instant: PromqlFetch = { startMs: DAY, endMs: DAY, stepMs: 15_000 };
    expect(() =>
      checkPromqlCost(
        'count_over_time(count_values("t", vector(time()))[11s:1ms])',
        0,
        instant,
        DEFAULT_LIMITS,
        'plain'
      )
    ).toThrow(/^subquery \[11s:1ms\] at char 50: count_values inside a subquery makes a series of every value/);
    expect(() =>
      checkPromqlCost('count_values("t", count_over_time(m[11s:1ms]))', 0, instant, DEFAULT_LIMITS, 'plain')
    ).not.toThrow();
  });

  it("refuses group_left/group_right with labels in a long subquery: they copy the other side's labels", async () => {
    expect(await refusalOf('count_over_time((m * on() group_left(foo) topk(1, n))[3000s:1ms])')).toMatch(
      /its expression's series cannot be bounded before it is sent \(group_left\(\.\.\.\) copies labels/
    );
    // Without labels to copy, the many side's series bound it.
    expect(await refusalOf('count_over_time((m * on(host) group_left() n)[3000s:5s])')).toBeUndefined();
  });

  it('adds a series for each vector() and absent(): an operand of no matching series is not free', async () => {
    const calls: string[] = [];
    const outcome = await checkSubquerySeries(
      'count_over_time((m or label_replace(vector(1), "a", "1", "", "") or absent(n{job="x"}))[3000s:1ms])',
      0,
      HOUR,
      DEFAULT_LIMITS,
      async (selector) => {
        calls.push(selector);
        return 0;
      }
    ).then(
      () => 'accepted',
      (error: unknown) => (error instanceof PromApiError ? error.message : 'other')
    );
    expect(calls).toEqual(['m', 'n{job="x"}']);
    expect(outcome).toMatch(/would have the upstream hold 2 series/);
  });

  it('reads an @ time as Prometheus does: a leading 0 is octal', async () => {
    const windows: Array<{ startMs: number }> = [];
    await checkSubquerySeries('count_over_time(m @ 0100 [3000s:1ms])', 0, HOUR, DEFAULT_LIMITS, async (_, window) => {
      windows.push(window);
      return 1;
    });
    // 0100 is 64 s.
    expect(windows[0].startMs).toBe(Math.min(0, 64_000) - (3_000_000 + 1) - 300_000);
  });
});

describe('the selectors an expression reads (selectorsOf)', () => {
  const selectors = (expression: string) => selectorsOf(tokenize(expression), expression);

  it.each([
    ['m', ['m']],
    ['m{a="x", b=~"y|z"}[5m]', ['m{a="x", b=~"y|z"}[5m]'.slice(0, 'm{a="x", b=~"y|z"}'.length)]],
    ['{__name__="m", job="j"}', ['{__name__="m", job="j"}']],
    ['m{a="}"}', ['m{a="}"}']],
    ['sum by (host, job) (rate(m[5m]))', ['m']],
    ['sum(rate(m[5m])) without (instance)', ['m']],
    ['topk(3, m) or bottomk(2, n)', ['m', 'n']],
    ['a / on(host) group_left(job) b', ['a', 'b']],
    ['a > bool ignoring(x) b unless c', ['a', 'b', 'c']],
    ['count_values("value", m) * inf - nan', ['m']],
    ['histogram_quantile(0.9, sum by (le) (rate(h_bucket[5m])))', ['h_bucket']],
    ['label_replace(m, "dst", "$1", "src", "(.*)")', ['m']],
    ['vector(time()) < 100', []],
    ['m offset 5m @ start()', ['m']],
    // Keywords Prometheus 2's grammar takes as metric names where they stand.
    ['sum', ['sum']],
    ['count offset 1m', ['count']],
    ['rate(max[5m])', ['max']],
    ['up or by', ['up', 'by']],
    ['(offset)', ['offset']],
    ['sum by (x) (m) and bool', ['m', 'bool']],
  ])('%s reads %j', (expression, expected) => {
    expect(selectors(expression)).toEqual(expected);
  });
});
