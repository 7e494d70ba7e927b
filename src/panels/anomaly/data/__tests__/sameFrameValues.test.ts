import { prometheusFrame } from '../../testing/frames';
import { sameFrameValues } from '../sameFrameValues';

describe('sameFrameValues', () => {
  const frames = [prometheusFrame([1, 2, 3], { __name__: 'cpu' }), prometheusFrame([4, 5, 6], { __name__: 'mem' })];
  /** What Grafana's field config pass makes of frames: new frames and fields around the same value arrays. */
  const withConfig = (list: typeof frames) =>
    list.map((frame) => ({
      ...frame,
      fields: frame.fields.map((field) => ({ ...field, config: { unit: 'percent' } })),
    }));

  it('the same result passed on again in new frames is the same data', () => {
    expect(sameFrameValues(frames, withConfig(frames))).toBe(true);
  });

  it('new values, another row count or another set of frames are new data', () => {
    expect(sameFrameValues(frames, [frames[0], prometheusFrame([4, 5, 6], { __name__: 'mem' })])).toBe(false);
    expect(sameFrameValues(frames, [frames[0], { ...frames[1], length: 2 }])).toBe(false);
    expect(sameFrameValues(frames, [frames[0]])).toBe(false);
    expect(sameFrameValues([], frames)).toBe(false);
  });
});
