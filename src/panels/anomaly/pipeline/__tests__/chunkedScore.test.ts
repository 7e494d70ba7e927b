import { AnomalyDetector, IsolationForest } from '@telemetry-analyzer/engine';
import { syntheticSeries, times } from '../../testing/frames';
import { SCORE_CHUNK_ROWS, scoreInChunks } from '../chunkedScore';

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
      const scored = await scoreInChunks(detector, table, 30, () => Promise.resolve(), 0, 2048);
      expect(Array.from(scored.rows)).toEqual(Array.from(whole.rowIndex));
      expect(Array.from(scored.scores)).toEqual(Array.from(whole.scores));
      expect(made).toHaveBeenCalledTimes(1);
    } finally {
      made.mockRestore();
    }
  });
});
