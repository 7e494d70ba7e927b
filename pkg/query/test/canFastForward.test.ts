import { canFastForward } from '../src/query/fastForward';

describe('canFastForward: cached rows are reused only for PromQL whose values do not depend on the range', () => {
  it.each([
    'm @ start()',
    'm @ end()',
    'm @ START()',
    'rate(m[5m] @ End ( ))',
    'm @ # a comment Prometheus skips\n start()',
    'max_over_time(m[1h:1m] @ end())',
  ])('fetches %j whole: it evaluates relative to the range', (expression) => {
    expect(canFastForward('promql', expression)).toBe(false);
  });

  it.each(['m', 'rate(m{job="start()"}[5m])', 'm @ 1700000000', 'm # @ start()', 'start_time_seconds @ 100'])(
    'fast-forwards %j: a fixed time, or the words inside a string or a comment',
    (expression) => {
      expect(canFastForward('promql', expression)).toBe(true);
    }
  );

  it('fetches InfluxQL and PromQL that does not lex whole', () => {
    expect(canFastForward('influxql', 'SELECT mean(v) FROM m WHERE $timeFilter')).toBe(false);
    expect(canFastForward('promql', 'm{job="unterminated}')).toBe(false);
  });
});
