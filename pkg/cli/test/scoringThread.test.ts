// The scoring thread as the CLI starts it (the built module: its thread runs dist/ code).
import { Worker } from 'worker_threads';
import { prestartedWorker, startScoring } from '../dist/pipeline/scoringThread';
import type { ScoringPlan } from '../dist/pipeline/groupScoring';
import type { RowBatch } from '../dist/input/rowBatch';

const plan: ScoringPlan = {
  groups: [''],
  metricNames: ['cpu'],
  source: 'input.csv',
  headerLine: 1,
  perColumn: false,
  partialRows: false,
  grouped: false,
  online: { detector: { forest: { contamination: 0.01 } }, options: { warmup: 100 } },
};

function batch(rows: number): RowBatch {
  const times = Float64Array.from({ length: rows }, (_, i) => 1.7e12 + i * 60_000);
  return {
    size: rows,
    lines: Float64Array.from({ length: rows }, (_, i) => i + 2),
    timestampMs: times,
    orderMs: times,
    groupIndex: new Int32Array(rows),
    values: [Float64Array.from({ length: rows }, (_, i) => 50 + Math.sin(i / 10))],
    missing: new Uint8Array(rows),
  };
}

describe('the scoring thread', () => {
  it('fails the run when its thread, started ahead, died before the run handed it work (it waited for answers that never came, and the CLI exited 0 with no outputs)', async () => {
    // As a worker that cannot load its code, or runs out of memory while the input is checked.
    const early = prestartedWorker(new Worker('throw new Error("cannot load the engine")', { eval: true }));
    await new Promise((resolve) => early.worker.once('exit', resolve));
    expect(early.failure()?.message).toMatch(/cannot load the engine/);
    const scoring = startScoring(plan, 2, 100_000, undefined, early);
    try {
      await expect(scoring.score(batch(500))).rejects.toThrow(/cannot load the engine/);
      await expect(scoring.finish()).rejects.toThrow(/cannot load the engine/);
    } finally {
      scoring.close();
    }
  });

  it('scores on a thread started ahead that is alive, as on the main thread', async () => {
    const ahead = prestartedWorker(new Worker(require.resolve('../dist/pipeline/scoringWorker.js')));
    const onWorker = startScoring(plan, 2, 100_000, undefined, ahead);
    const onMain = startScoring(plan, 1, 100_000);
    try {
      expect(onWorker.threads).toBe(2);
      const [a, b] = [await onWorker.score(batch(500)), await onMain.score(batch(500))];
      expect(Array.from(a.score)).toEqual(Array.from(b.score));
      expect(a.score.filter((s) => !Number.isNaN(s)).length).toBeGreaterThan(300);
      expect(ahead.failure()).toBeUndefined();
    } finally {
      onWorker.close();
      onMain.close();
    }
  });
});
