import { AnomalyDetector } from '../../src/detector';
import { keptLayoutScoring } from '../../src/keptLayoutScoring';
import { walkLeftRows } from '../../src/online/leftWalk';
import { OnlineCalibrator } from '../../src/online/onlineCalibrator';
import { OnlineForest, type ForestStageResult, type ModelSpan } from '../../src/online/onlineForest';
import { sliceRows } from '../syntheticTable';
import { BATCHES, columns, forest, table } from './onlineFixtures';

const online = { warmup: 400, refitEvery: 500, refitHistory: 800 };

/** As a thread that gets the results: the models from their transfer form, so nothing is shared with the stage. */
function handedOver(spans: ModelSpan[]): ModelSpan[] {
  return spans.map(({ from, detector }) => ({ from, detector: AnomalyDetector.fromTransfer(detector.toTransfer()) }));
}

describe('rows left to walk (OnlineForest.push leaveShare, walkLeftRows)', () => {
  it.each([
    ['multivariate', 0.3],
    ['multivariate', 1],
    ['per-column', 0.5],
  ] as const)(
    'walked elsewhere, give every row the raw score of a push that walked all (%s, share %s)',
    (mode, share) => {
      const data = table(3000);
      const whole = new OnlineForest(columns, { forest, mode }, online);
      const leaving = new OnlineForest(columns, { forest, mode }, online);
      const scoring = keptLayoutScoring();
      let walked = 0;
      for (const [from, to] of BATCHES) {
        const expected = whole.push(sliceRows(data, from, to));
        const result: ForestStageResult = leaving.push(sliceRows(data, from, to), share);
        const left = result.leftWalks ?? [];
        for (const walk of left) {
          expect(walk.matrix.rows).toBe(walk.rows.length);
          expect(walk.matrix.values).toHaveLength(walk.rows.length * walk.matrix.cols);
          walk.rows.forEach((row) => expect(result.rawScores[walk.model][row]).toBeNaN());
          walked += walk.rows.length;
        }
        // No walk is left for a batch without scored rows; a share of 1 leaves every scored row.
        const scored = expected.rawScores[0].filter((score) => !Number.isNaN(score)).length;
        if (share === 1) {
          expect(left.reduce((sum, walk) => sum + walk.rows.length, 0)).toBe(scored * expected.rawScores.length);
        }
        walkLeftRows(result, handedOver(result.models), scoring);
        expect(result.leftWalks).toBeUndefined();
        expect(result.rawScores.map((raw) => Array.from(raw))).toEqual(
          expected.rawScores.map((raw) => Array.from(raw))
        );
        expect(result.models.map((m) => m.from)).toEqual(expected.models.map((m) => m.from));
      }
      expect(walked).toBeGreaterThan(share * 2000);
    }
  );

  it('leaves nothing at share 0, and walks without a host scoring too', () => {
    const data = table(1500);
    const stage = new OnlineForest(columns, { forest }, online);
    const expected = new OnlineForest(columns, { forest }, online).push(data);
    expect(stage.push(sliceRows(data, 0, 900)).leftWalks).toBeUndefined();
    const result = stage.push(sliceRows(data, 900, 1500), 0.4);
    // A walk per model that scored rows: the refit after row 1400 starts a second one.
    expect(result.models.map((m) => m.from)).toEqual([0, 500]);
    expect(result.leftWalks?.map((walk) => walk.rows.length)).toEqual([200, 40]);
    walkLeftRows(result, result.models);
    expect(Array.from(result.rawScores[0])).toEqual(Array.from(expected.rawScores[0].subarray(900)));
  });

  it('cannot be calibrated before the walks are done', () => {
    const data = table(1200);
    const stage = new OnlineForest(columns, { forest }, online);
    const calibrator = new OnlineCalibrator(columns.length, false, forest.contamination, online);
    const result = stage.push(data, 0.2);
    const values = data.columns.map((column) => column.values);
    expect(() => calibrator.push(values, result)).toThrow(/walkLeftRows before calibrating/);
  });

  it.each([-0.1, 1.5, NaN])('refuses a share of %s', (share) => {
    const stage = new OnlineForest(columns, { forest }, online);
    expect(() => stage.push(table(10), share)).toThrow(/leaveShare must be between 0 and 1/);
  });
});
