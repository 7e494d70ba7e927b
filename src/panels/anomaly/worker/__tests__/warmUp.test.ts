import { START } from '../../testing/frames';
import { testWarmUpTemplate } from '../../testing/warmUpTemplate';
import { type AnalyseState, runAnalyseJob } from '../analyseJob';
import { DetectorCache } from '../detectorCache';
import type { PanelModelOutcome } from '../messages';
import {
  WARM_UP_MAX_ROWS,
  WARM_UP_MIN_MODELS,
  WARM_UP_MODELS,
  WARM_UP_REFRESHES,
  WARM_UP_ROWS,
  warmUpRequests,
  warmUpTemplate,
} from '../warmUp';

const hooks = { pause: () => Promise.resolve(), isCancelled: () => false, progress: () => undefined };

const template = testWarmUpTemplate;

/** The first index where two arrays differ (or one ends), -1 when none: jest's toEqual takes ~0.1 s per 8 000. */
function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if (!Object.is(a[i], b[i])) {
      return i;
    }
  }
  return -1;
}

function ok(outcome: PanelModelOutcome) {
  if (!outcome.ok) {
    throw new Error(`${outcome.code}: ${outcome.message}`);
  }
  return outcome;
}

describe('a worker warm-up', () => {
  it('copies every parameter of the panel job but its models, and the widest model’s series count', () => {
    const { columnsPerModel, ...parameters } = template({}, 1);
    const column = { name: 'a', times: new Float64Array(3), values: new Float64Array(3) };
    const job = {
      ...parameters,
      models: [
        { slot: 's1', trainingKey: 'k', mayTrain: true, columns: [column] },
        { slot: 's2', trainingKey: 'k', mayTrain: true, columns: [column, column, column] },
      ],
    };
    expect(columnsPerModel).toBe(1);
    expect(warmUpTemplate(job)).toEqual({ ...parameters, columnsPerModel: 3 });
  });

  it('is a job of made-up models on the panel’s range, then refreshes of the same models, each one step later', () => {
    const made = warmUpRequests(template({}, 2));
    expect(made?.count).toBe(1 + WARM_UP_REFRESHES);
    const jobs = Array.from({ length: made!.count }, (_, index) => made!.job(index));
    const [first] = jobs;
    expect(first.models).toHaveLength(WARM_UP_MODELS);
    const step = first.models[0].columns[0].times[1] - START;
    jobs.slice(1).forEach((refresh, k) => {
      const previous = jobs[k];
      expect(refresh.models.map((m) => m.slot)).toEqual(first.models.map((m) => m.slot));
      for (const [m, model] of previous.models.entries()) {
        expect(model.columns).toHaveLength(2);
        const later = refresh.models[m];
        for (const [c, column] of model.columns.entries()) {
          expect(column.times).toHaveLength(WARM_UP_ROWS);
          expect(column.times[0]).toBe(START + k * step);
          // One row gone at the start, one new at the end: the rest as before.
          expect(firstDifference(later.columns[c].times.subarray(0, -1), column.times.subarray(1))).toBe(-1);
          expect(firstDifference(later.columns[c].values.subarray(0, -1), column.values.subarray(1))).toBe(-1);
        }
      }
      expect(refresh.grid).toEqual({
        ...previous.grid,
        fromMs: previous.grid.fromMs + step,
        toMs: previous.grid.toMs + step,
      });
    });
    // The same made-up series every time.
    const again = warmUpRequests(template({}, 2))!.job(WARM_UP_REFRESHES);
    again.models.forEach((model, m) =>
      model.columns.forEach((column, c) => {
        const before = jobs[WARM_UP_REFRESHES].models[m].columns[c];
        expect(firstDifference(column.times, before.times)).toBe(-1);
        expect(firstDifference(column.values, before.values)).toBe(-1);
      })
    );
    // Jobs past the last are none.
    expect(() => made!.job(made!.count)).toThrow(RangeError);
    // An online panel's refresh scores its whole range again (nothing is cached): one refresh.
    expect(warmUpRequests(template({ online: true }, 1))?.count).toBe(2);
  });

  it('has enough rows for the panel’s options to train on, and is skipped when that would be too many', () => {
    expect(warmUpRequests(template({}, 1, 3000))!.job(0).models[0].columns[0].times).toHaveLength(WARM_UP_ROWS);
    expect(warmUpRequests(template({}, 1, 12_000))!.job(0).models[0].columns[0].times).toHaveLength(12_001);
    // Longer series, fewer of them: about the rows of WARM_UP_MODELS default ones, never fewer than the minimum.
    expect(warmUpRequests(template({}, 1, 2 * WARM_UP_ROWS - 1))!.job(0).models).toHaveLength(WARM_UP_MODELS / 2);
    expect(warmUpRequests(template({}, 1, 24_000))!.job(0).models).toHaveLength(WARM_UP_MIN_MODELS);
    expect(warmUpRequests(template({}, 1, WARM_UP_MAX_ROWS - 1))!.job(0).models).toHaveLength(WARM_UP_MIN_MODELS);
    expect(warmUpRequests(template({}, 1, WARM_UP_MAX_ROWS))).toBeUndefined();
  });

  it('runs the panel job’s paths: training, marks and regions, then refreshes that score only the new row', async () => {
    for (const overrides of [{}, { online: true }, { direction: 'above' as const, minConsecutive: 2 }]) {
      const jobs = warmUpRequests(template(overrides))!;
      const state: AnalyseState = { cache: new DetectorCache(), tables: new Map() };
      const trained = (await runAnalyseJob(jobs.job(0), state, hooks)).map(ok);
      expect(trained.every((o) => o.trained)).toBe(true);
      // Each made-up series has a spike: every model marks something.
      expect(trained.every((o) => o.series[0].anomalyCount > 0 && o.series[0].regions.length > 0)).toBe(true);
      for (let index = 1; index < jobs.count; index++) {
        const refreshed = (await runAnalyseJob(jobs.job(index), state, hooks)).map(ok);
        if (!overrides.online) {
          // Batch mode keeps its models: each refresh reuses them and scores the new row only.
          expect(refreshed.every((o) => !o.trained && o.scoredAnew === 1)).toBe(true);
        }
      }
    }
  });
});
