import { buildModelInputs } from '../modelInputs';
import { START, STEP, prometheusFrame } from '../../testing/frames';

describe('Prometheus frames (one frame per series: Time + Value with labels)', () => {
  const frames = [
    prometheusFrame([1, 2, null, 4], { __name__: 'node_load1', instance: 'a:9100' }),
    prometheusFrame([5, 6, 7, 8], { __name__: 'node_load1', instance: 'b:9100' }),
  ];

  it('makes one single-column model per series, named from the labels, nulls as NaN', () => {
    const models = buildModelInputs(frames, { mode: 'per-series', groupByLabel: '' });
    expect(models).toHaveLength(2);
    const names = models.map((m) => m.table.columns[0].name);
    expect(names[0]).not.toEqual(names[1]);
    expect(names[0]).toContain('a:9100');
    expect(Array.from(models[0].table.timestamps)).toEqual([START, START + STEP, START + 2 * STEP, START + 3 * STEP]);
    expect(Array.from(models[0].table.columns[0].values)).toEqual([1, 2, NaN, 4]);
    expect(models[1].series[0]).toMatchObject({ frameIndex: 1, fieldIndex: 1, timeFieldIndex: 0 });
  });

  it('joins all series into one table in multivariate mode, grouped by a label when asked', () => {
    const all = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: '' });
    expect(all).toHaveLength(1);
    expect(all[0].table.columns.map((c) => Array.from(c.values))).toEqual([
      [1, 2, NaN, 4],
      [5, 6, 7, 8],
    ]);
    const byInstance = buildModelInputs(frames, { mode: 'multivariate', groupByLabel: 'instance' });
    expect(byInstance.map((m) => m.label)).toEqual(['instance=a:9100', 'instance=b:9100']);
    expect(byInstance.map((m) => m.table.columns.length)).toEqual([1, 1]);
  });

  it("groups by a series' own label only: one named like an inherited property (constructor) is missing", () => {
    const labelled = [...frames, prometheusFrame([9, 9, 9, 9], { __name__: 'up', constructor: 'x' })];
    const models = buildModelInputs(labelled, { mode: 'multivariate', groupByLabel: 'constructor' });
    expect(models.map((m) => m.label)).toEqual(['constructor=(no label)', 'constructor=x']);
    expect(models.map((m) => m.table.columns.length)).toEqual([2, 1]);
  });
});
