import { modelKey, stableStringify } from '../src/models/modelKey';

const base = {
  upstream: 'prom',
  language: 'promql',
  expression: 'rate(x[5m])',
  options: { trees: 100, contamination: 'auto', stepMs: 60_000, by: ['instance'] },
  labels: { instance: 'a', job: 'node' },
};

describe('modelKey', () => {
  it('is a sha256 hex digest that does not depend on key order', () => {
    const reordered = {
      labels: { job: 'node', instance: 'a' },
      options: { by: ['instance'], stepMs: 60_000, contamination: 'auto', trees: 100 },
      expression: 'rate(x[5m])',
      language: 'promql',
      upstream: 'prom',
    };
    expect(modelKey(base)).toMatch(/^[0-9a-f]{64}$/);
    expect(modelKey(reordered)).toBe(modelKey(base));
  });

  it('is the same on every run for the same parts (stable across restarts)', () => {
    expect(stableStringify(base)).toBe(
      '{"expression":"rate(x[5m])","labels":{"instance":"a","job":"node"},"language":"promql","options":{"by":["instance"],"contamination":"auto","stepMs":60000,"trees":100},"upstream":"prom"}'
    );
  });

  it.each([
    ['upstream', { ...base, upstream: 'other' }],
    ['expression', { ...base, expression: 'rate(x[1m])' }],
    ['an option', { ...base, options: { ...base.options, trees: 50 } }],
    ['the step', { ...base, options: { ...base.options, stepMs: 30_000 } }],
    ['a label value', { ...base, labels: { ...base.labels, instance: 'b' } }],
    ['an extra label', { ...base, labels: { ...base.labels, mode: 'idle' } }],
  ])('changes with %s', (_what, parts) => {
    expect(modelKey(parts)).not.toBe(modelKey(base));
  });
});
