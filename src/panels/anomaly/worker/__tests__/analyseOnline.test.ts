import { OnlineDetector } from '@telemetry-analyzer/engine';
import { buildAnomalyExpression } from '../../alerting/anomalyExpression';
import { toDetectorOptions } from '../../model/detectorOptions';
import { withDefaults } from '../../options/defaults';
import { START, STEP, times } from '../../testing/frames';
import { type AnalyseState, runAnalyseJob } from '../analyseJob';
import { DetectorCache } from '../detectorCache';
import type { AnalyseRequest, PanelColumn } from '../messages';

const hooks = { pause: () => Promise.resolve(), isCancelled: () => false, progress: () => undefined };
const value = (i: number) => 40 + 4 * Math.sin(i / 25) + ((i * 17) % 5) + (i === 900 ? 60 : 0);

function column(from: number, count: number): PanelColumn {
  const values = Array.from({ length: count }, (_, k) => value(from + k));
  return {
    name: 'cpu',
    times: Float64Array.from(times(count, START + from * STEP, STEP)),
    values: Float64Array.from(values),
  };
}

describe('the panel in online mode', () => {
  const options = withDefaults({ trees: 40, contamination: 0.02, online: true });
  const request: AnalyseRequest = {
    type: 'analyse',
    jobId: 1,
    detector: toDetectorOptions(options),
    contamination: options.contamination,
    models: [{ slot: 'a', trainingKey: 'k', columns: [column(600, 600)], training: [column(0, 600)], mayTrain: true }],
    grid: { fromMs: START + 600 * STEP, toMs: START + 1199 * STEP, columns: 2000 },
    rules: { minConsecutive: 1, direction: 'both' },
    window: options.window,
    intervalMs: STEP,
    check: { count: 19, reason: 'test', where: 'in the training range', trainsOnScoredRows: false },
    online: true,
  };

  it('flags exactly what the engine flags online over the training and visible rows', async () => {
    const state: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
    const [outcome] = await runAnalyseJob(request, state, hooks);
    if (!outcome.ok) {
      throw new Error(outcome.message);
    }
    const timestamps = Float64Array.from(times(1200, START, STEP));
    const reference = new OnlineDetector(
      ['cpu'],
      { ...request.detector, forest: { ...request.detector.forest, contamination: 0.02 } },
      { warmup: 600 }
    ).push({ timestamps, columns: [{ name: 'cpu', values: timestamps.map((_, i) => value(i)) }] });
    const expectedFlags = Array.from(reference.isAnomaly.subarray(600)).reduce((n, f) => n + f, 0);
    expect(outcome.scoredRows).toBe(600);
    expect(outcome.flaggedRows).toBe(expectedFlags);
    expect(outcome.threshold).toBeCloseTo(0.5 * (1 - 0.02), 12);
    expect(outcome.series[0].anomalyCount).toBeGreaterThan(0); // the spike at point 900
  });

  it('warms up on the rows before the window end only, and says so when they are too few (not an engine error)', async () => {
    // The series began 10 rows before the window's end (the hour): 590 rows between it and the visible range are
    // scored, not trained on; 10 cannot warm a detector up.
    const state: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
    const late = { ...request, onlineWarmupEndMs: START + 10 * STEP };
    const [outcome] = await runAnalyseJob(late, state, hooks);
    expect(outcome).toMatchObject({
      ok: false,
      code: 'not-enough-data',
      message: expect.stringMatching(/^10 points in the training range/),
    });
    // With the window ending at the visible range, as before.
    const [whole] = await runAnalyseJob({ ...request, onlineWarmupEndMs: START + 600 * STEP }, state, hooks);
    expect(whole.ok && whole.scoredRows).toBe(600);
  });

  it('without a training range, judges the warm-up share of the visible rows and says that is what fell short', async () => {
    // A review (2026-12-06): 20 visible points passed the check of the whole range, and the engine then refused its
    // 6 warm-up rows with "column 'cpu' has 0 usable rows, training needs 19".
    const state: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
    const short = {
      ...request,
      models: [{ slot: 'a', trainingKey: 'k', columns: [column(0, 20)], mayTrain: true }],
      check: { ...request.check, where: 'in the visible range', trainsOnScoredRows: true },
    };
    const [outcome] = await runAnalyseJob(short, state, hooks);
    expect(outcome).toMatchObject({
      ok: false,
      code: 'not-enough-data',
      message: expect.stringMatching(
        /^6 points in the first 30 % of the visible range, which warms online mode up without a training range \(widen the range or choose one\); at least 19 are needed/
      ),
    });
    // Enough visible rows: their first 30 % warm up, the rest are scored.
    const [enough] = await runAnalyseJob(
      { ...short, models: [{ slot: 'a', trainingKey: 'k', columns: [column(0, 200)], mayTrain: true }] },
      state,
      hooks
    );
    expect(enough.ok && enough.scoredRows).toBe(140);
  });

  it('builds alert rules with online=true, so the alert scores as the panel does', () => {
    const expression = buildAnomalyExpression({ language: 'promql', expr: 'cpu' }, options, {
      visibleRangeMs: 3_600_000,
      stepMs: STEP,
    });
    expect(expression).toMatch(/, online=true\)$/);
  });
});
