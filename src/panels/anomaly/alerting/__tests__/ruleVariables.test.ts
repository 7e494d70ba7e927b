import { ruleScopedVars, ruleVariableValue } from '../ruleVariables';

describe('ruleScopedVars', () => {
  it("keeps the panel's scope (a repeated panel's value, scenes' __sceneObject) and the evaluation's built-ins as written", () => {
    const sceneObject = { value: { the: 'panel' }, text: '' };
    const vars = ruleScopedVars({
      host: { text: 'b', value: 'b' },
      __sceneObject: sceneObject,
      __interval: { text: '1m', value: '1m' },
      __interval_ms: { text: '60000', value: 60000 },
    });
    expect(vars.host).toEqual({ text: 'b', value: 'b' });
    expect(vars.__sceneObject).toBe(sceneObject);
    for (const name of ['__interval', '__interval_ms', '__rate_interval', '__range', '__range_s', '__range_ms']) {
      expect(vars[name]).toEqual({ text: `$${name}`, value: `$${name}` });
    }
    expect(ruleScopedVars(undefined).__range).toEqual({ text: '$__range', value: '$__range' });
  });
});

describe('ruleVariableValue', () => {
  const promql = ruleVariableValue('promql');
  const influxql = ruleVariableValue('influxql');

  it('writes a multi-value or All variable as a regex alternation of escaped values (not the glob {a,b})', () => {
    expect(promql(['web-1', 'web.2'], { multi: true })).toBe('(web-1|web\\\\.2)');
    expect(promql(['a', 'b'], { includeAll: true })).toBe('(a|b)');
    expect(influxql(['a', 'b(c)'], { multi: true })).toBe('(a|b\\(c\\))');
    // One value chosen of a multi-value variable: that value, regex-escaped, no parentheses.
    expect(promql(['10.0.0.1:9100'], { multi: true })).toBe('10\\\\.0\\\\.0\\\\.1:9100');
    expect(promql('a\\b', { multi: true })).toBe('a\\\\\\\\b');
  });

  it('an InfluxQL regex literal matches exactly the values chosen (escaped once, the / delimiter too)', () => {
    // A review: escaped twice as for PromQL strings, /^(web\\.1|web\\.2)$/ matched neither web.1 nor web.2.
    const matcher = new RegExp(`^${influxql(['web.1', '10.0.0.2', 'xe-0/0/1'], { multi: true })}$`);
    expect(['web.1', '10.0.0.2', 'xe-0/0/1'].map((v) => matcher.test(v))).toEqual([true, true, true]);
    expect(['webX1', '10x0x0x2', 'web\\.1'].map((v) => matcher.test(v))).toEqual([false, false, false]);
    expect(influxql(['xe-0/0/1'], { multi: true })).toBe('xe-0\\/0\\/1');
  });

  it("writes a single-value variable as text (PromQL: backslashes and single quotes escaped, as Grafana's Prometheus does)", () => {
    expect(promql('web.1', {})).toBe('web.1');
    expect(promql("it's\\", {})).toBe("it\\\\'s\\\\");
    expect(influxql('web.1', {})).toBe('web.1');
    expect(promql(undefined)).toBe('');
  });
});
