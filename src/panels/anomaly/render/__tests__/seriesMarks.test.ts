import { dateTime } from '@grafana/data';
import { AnomalyDetector } from '@telemetry-analyzer/engine';
import { analysePanel } from '../../analysis/analysePanel';
import { buildModelInputs } from '../../data/modelInputs';
import { toDetectorOptions } from '../../model/detectorOptions';
import { withDefaults } from '../../options/defaults';
import { prometheusFrame, syntheticSeries, times } from '../../testing/frames';
import { MainThreadScorer } from '../../worker/scorer';
import { buildSeriesMarks } from '../seriesMarks';

const N = 240;
const frames = [
  prometheusFrame(syntheticSeries(N, [60, 150, 151]), { __name__: 'cpu', host: 'a' }),
  prometheusFrame(syntheticSeries(N, [200], 11), { __name__: 'cpu', host: 'b' }),
];
const range = { from: dateTime(times(N)[0]), to: dateTime(times(N)[N - 1]), raw: { from: 'now-4h', to: 'now' } };

async function analyse(overrides = {}) {
  const options = withDefaults({ trees: 50, contamination: 0.02, ...overrides });
  const analysis = await analysePanel({
    frames,
    options,
    visibleRange: range,
    scorer: new MainThreadScorer('test', () => Promise.resolve()),
    fetchFrames: () => Promise.reject(new Error('not used')),
  });
  if (analysis.status !== 'done') {
    throw new Error(`analysis ${analysis.status}`);
  }
  return { options, analysis };
}

/** The anomalies of the engine itself, trained and scored directly on the same table. */
function engineAnomalyTimes(options: ReturnType<typeof withDefaults>, modelIndex: number): number[] {
  const model = buildModelInputs(frames, options)[modelIndex];
  const detectorOptions = toDetectorOptions(options);
  const detector = AnomalyDetector.train(model.table, {
    ...detectorOptions,
    forest: { ...detectorOptions.forest, contamination: options.contamination },
  });
  const [result] = detector.score(model.table);
  return Array.from(result.rowIndex)
    .filter((_, i) => result.isAnomaly[i])
    .map((row) => model.table.timestamps[row]);
}

describe('buildSeriesMarks', () => {
  it('per series: the rendered points are exactly the anomalies the engine returned', async () => {
    const { options, analysis } = await analyse();
    const marks = buildSeriesMarks(frames, analysis.models, { minConsecutive: 1, direction: 'both' }, options.window);
    expect(marks).toHaveLength(2);
    marks.forEach((m, i) => {
      const expected = engineAnomalyTimes(options, i);
      expect(expected.length).toBeGreaterThan(0);
      const frameTimes = frames[i].fields[0].values;
      const drawnAt = m.anomalyValues.flatMap((v, row) => (v === null ? [] : [frameTimes[row]]));
      expect(drawnAt).toEqual(expected);
      // The drawn value is the series value, so the point sits on the line.
      m.anomalyValues.forEach((v, row) => v !== null && expect(v).toBe(frames[i].fields[1].values[row]));
      expect(m.anomalyCount).toBe(expected.length);
    });
  });

  it('multivariate: an anomalous row marks every series of its model', async () => {
    const { options, analysis } = await analyse({ mode: 'multivariate' });
    const marks = buildSeriesMarks(frames, analysis.models, { minConsecutive: 1, direction: 'both' }, options.window);
    const expected = engineAnomalyTimes(options, 0);
    for (const m of marks) {
      const frameTimes = frames[m.ref.frameIndex].fields[0].values;
      expect(m.anomalyValues.flatMap((v, row) => (v === null ? [] : [frameTimes[row]]))).toEqual(expected);
    }
  });
});
