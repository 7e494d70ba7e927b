import { AnomalyDetector, EngineInputError, type SeriesTable } from '@telemetry-analyzer/engine';
import { queryTimedOut } from '../src/query/cancellation';
import { scoreOnline } from '../src/query/onlineScoring';
import { TrainingPool } from '../src/training/trainingPool';

function table(n: number): SeriesTable {
  const timestamps = new Float64Array(n);
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    timestamps[i] = 1_700_000_000_000 + i * 60_000;
    values[i] = 10 + Math.sin(i / 9) + ((i * 37) % 11) / 10;
  }
  return { timestamps, columns: [{ name: 'cpu', values }] };
}

const OPTIONS = {
  features: { window: 6, lags: 1, seasonality: false },
  forest: { nEstimators: 30, seed: 4 },
  mode: 'multivariate' as const,
};

describe('TrainingPool', () => {
  let pool: TrainingPool;
  beforeEach(() => (pool = new TrainingPool(1)));
  afterEach(() => pool.close());

  it('trains on a worker thread exactly what training on the event loop gives', async () => {
    const inWorker = await pool.train(table(300), OPTIONS);
    const here = AnomalyDetector.train(table(300), OPTIONS);
    expect(Array.from(inWorker.score(table(300))[0].scores)).toEqual(Array.from(here.score(table(300))[0].scores));
  });

  it('scores an online=true unit on a worker thread exactly as on the event loop', async () => {
    const rows = table(600);
    const trainingEndMs = rows.timestamps[400];
    const options = { ...OPTIONS, forest: { ...OPTIONS.forest, contamination: 0.02 } };
    const inWorker = await pool.scoreOnline(rows, options, trainingEndMs);
    const here = scoreOnline(rows, options, trainingEndMs);
    if (typeof inWorker === 'string' || typeof here === 'string') {
      throw new Error(`not scored: ${String(inWorker)} / ${String(here)}`);
    }
    expect(Array.from(inWorker.scored.scores)).toEqual(Array.from(here.scored.scores));
    expect(Array.from(inWorker.flags)).toEqual(Array.from(here.flags));
    expect(inWorker.scored.scoredRows.reduce((n, s) => n + s, 0)).toBe(200);
  });

  it("passes the engine's refusal of the data on as an EngineInputError", async () => {
    await expect(pool.train(table(3), OPTIONS)).rejects.toBeInstanceOf(EngineInputError);
  });

  it('stops a running training whose signal aborts (its worker is terminated) and trains the next job', async () => {
    const heavy = { ...OPTIONS, forest: { nEstimators: 10_000, seed: 1 } };
    const controller = new AbortController();
    const running = pool.train(table(20_000), heavy, controller.signal);
    const next = pool.train(table(300), OPTIONS);
    const timedOut = queryTimedOut(1000);
    controller.abort(timedOut);
    await expect(running).rejects.toBe(timedOut);
    await expect(next).resolves.toBeInstanceOf(AnomalyDetector);
  });
});
