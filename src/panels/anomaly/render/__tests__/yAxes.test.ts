import { yAxes } from '../yAxes';

describe('yAxes', () => {
  it('gives series of one unit one axis', () => {
    const cpu = { unit: 'percent' };
    const { axes, axisOf } = yAxes([cpu, { unit: 'percent' }]);
    expect(axes).toEqual([{ source: cpu, range: undefined }]);
    expect(axisOf).toEqual([0, 0]);
  });

  it('gives each unit an axis of its own, in the order of their first series', () => {
    const cpu = { unit: 'percent' };
    const memory = { unit: 'bytes' };
    const latency = { unit: 's' };
    const { axes, axisOf } = yAxes([cpu, memory, { unit: 'percent' }, latency, { unit: 'bytes' }]);
    expect(axes.map((a) => a.source)).toEqual([cpu, memory, latency]);
    expect(axisOf).toEqual([0, 1, 0, 2, 1]);
  });

  it('tells fields without a unit from fields with one, and groups those without together', () => {
    const { axes, axisOf } = yAxes([{}, { unit: 'short' }, { unit: undefined }]);
    expect(axes).toHaveLength(2);
    expect(axisOf).toEqual([0, 1, 0]);
  });

  it('keys an axis by Min and Max as well (Grafana: a fixed range is a scale of its own), and keeps them as its ends', () => {
    const { axes, axisOf } = yAxes([
      { unit: 'percent', min: 0, max: 100 },
      { unit: 'percent' },
      { unit: 'percent', min: 0, max: 100 },
      { unit: 'percent', min: null, max: 50 },
    ]);
    expect(axisOf).toEqual([0, 1, 0, 2]);
    expect(axes.map((a) => a.range)).toEqual([{ min: 0, max: 100 }, undefined, { min: undefined, max: 50 }]);
  });

  it('has no axis without series', () => {
    expect(yAxes([])).toEqual({ axes: [], axisOf: [] });
  });
});
