import { CircularDataFrame, FieldType } from '@grafana/data';
import { buildModelInputs } from '../modelInputs';
import { START, STEP } from '../../testing/frames';

function streamingFrame(append: 'head' | 'tail', capacity: number) {
  const frame = new CircularDataFrame({ append, capacity });
  frame.addField({ name: 'time', type: FieldType.time });
  frame.addField({ name: 'temperature', type: FieldType.number });
  return frame;
}

describe('streaming frames (CircularDataFrame, appended rows)', () => {
  it('keeps the newest rows in time order when the buffer wraps (append tail)', () => {
    const frame = streamingFrame('tail', 3);
    [10, 11, 12, 13, 14].forEach((v, i) => frame.add({ time: START + i * STEP, temperature: v }));
    const [model] = buildModelInputs([frame], { mode: 'per-series', groupByLabel: '' });
    expect(Array.from(model.table.timestamps)).toEqual([START + 2 * STEP, START + 3 * STEP, START + 4 * STEP]);
    expect(Array.from(model.table.columns[0].values)).toEqual([12, 13, 14]);
  });

  it('keeps the last value of a re-sent timestamp in an oldest-first buffer', () => {
    const frame = streamingFrame('tail', 10);
    frame.add({ time: START, temperature: 1 });
    frame.add({ time: START + STEP, temperature: 2 });
    frame.add({ time: START + STEP, temperature: 3 });
    const [model] = buildModelInputs([frame], { mode: 'per-series', groupByLabel: '' });
    expect(Array.from(model.table.columns[0].values)).toEqual([1, 3]);
  });

  it('sorts newest-first buffers (append head) and keeps the last value of a re-sent timestamp', () => {
    const frame = streamingFrame('head', 10);
    frame.add({ time: START, temperature: 1 });
    frame.add({ time: START + STEP, temperature: 2 });
    frame.add({ time: START + STEP, temperature: 3 });
    const [model] = buildModelInputs([frame], { mode: 'per-series', groupByLabel: '' });
    expect(Array.from(model.table.timestamps)).toEqual([START, START + STEP]);
    expect(Array.from(model.table.columns[0].values)).toEqual([1, 3]);
  });
});
