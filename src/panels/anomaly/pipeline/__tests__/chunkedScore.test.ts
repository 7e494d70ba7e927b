import { AnomalyDetector, IsolationForest } from '@telemetry-analyzer/engine';
import { syntheticSeries, times } from '../../testing/frames';
import { SCORE_CHUNK_ROWS, rescoreNewRows, runInSteps, scoreInChunks } from '../chunkedScore';

describe('scoreInChunks', () => {
  it("scores as the engine scores the whole table, building the forest's dense layout once for all its chunks", async () => {
    const n = 3 * SCORE_CHUNK_ROWS + 500;
    const table = {
      timestamps: Float64Array.from(times(n)),
      columns: [{ name: 'v', values: Float64Array.from(syntheticSeries(n, [700, 9000, 20000])) }],
    };
    const detector = AnomalyDetector.train(
      {
        timestamps: table.timestamps.subarray(0, 3000),
        columns: [{ name: 'v', values: table.columns[0].values.subarray(0, 3000) }],
      },
      { forest: { nEstimators: 30, seed: 3, contamination: 0.01 } }
    );
    const [whole] = detector.score(table);
    const made = jest.spyOn(IsolationForest.prototype, 'batchScorer');
    try {
      const scored = await scoreInChunks(detector, table, 30, () => Promise.resolve(), { stepRows: 2048 });
      expect(Array.from(scored.rows)).toEqual(Array.from(whole.rowIndex));
      expect(Array.from(scored.scores)).toEqual(Array.from(whole.scores));
      expect(made).toHaveBeenCalledTimes(1);
    } finally {
      made.mockRestore();
    }
  });
});

describe('rescoreNewRows', () => {
  it.each([5000, 70_000])(
    'a refresh one step on (%i rows): the kept rows renumbered, the new one scored, as scoring the new table whole',
    async (n) => {
      const all = syntheticSeries(n + 1, [700, n - 10]);
      const tableFrom = (first: number) => ({
        timestamps: Float64Array.from(times(n + 1)).subarray(first, first + n),
        columns: [{ name: 'v', values: Float64Array.from(all).subarray(first, first + n) }],
      });
      const detector = AnomalyDetector.train(tableFrom(0), {
        forest: { nEstimators: 10, seed: 3, contamination: 0.01 },
      });
      const { window, lags } = detector.options.features;
      const warmup = Math.max(window - 1, lags, 1);
      const noPause = () => Promise.resolve();
      const before = await scoreInChunks(detector, tableFrom(0), warmup, noPause);
      const refreshed = await rescoreNewRows(
        detector,
        { table: tableFrom(0), scored: before },
        tableFrom(1),
        warmup,
        noPause
      );
      const whole = await scoreInChunks(detector, tableFrom(1), warmup, noPause);
      expect(refreshed.scoredRows).toBe(1);
      expect(Array.from(refreshed.scored.rows)).toEqual(Array.from(whole.rows));
      expect(Array.from(refreshed.scored.scores)).toEqual(Array.from(whole.scores));
    }
  );
});

describe('runInSteps', () => {
  it("closes the engine's generator when a cancel throws out of a pause (its working arrays are given back)", async () => {
    let closed = false;
    // Endless steps: runInSteps pauses once STEP_BUDGET_MS of them have run, and the pause throws.
    function* steps(): Generator<void, number> {
      try {
        for (;;) {
          yield;
        }
      } finally {
        closed = true;
      }
    }
    const cancelled = new Error('cancelled');
    await expect(runInSteps(steps(), () => Promise.reject(cancelled))).rejects.toBe(cancelled);
    expect(closed).toBe(true);
  });
});
