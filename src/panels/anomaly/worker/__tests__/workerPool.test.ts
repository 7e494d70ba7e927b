import {
  MAX_POOL_WORKERS,
  MIN_MODELS_PER_WORKER,
  assignModels,
  mergeByWorker,
  poolSize,
  splitByWorker,
  workersFor,
} from '../workerPool';

describe('worker pool', () => {
  it('sizes the pool to the cores, at least 1 and at most MAX_POOL_WORKERS', () => {
    expect(poolSize(undefined)).toBe(1);
    expect(poolSize(1)).toBe(1);
    expect(poolSize(2)).toBe(2);
    expect(poolSize(3)).toBe(3);
    expect(poolSize(64)).toBe(MAX_POOL_WORKERS);
  });

  it('uses another worker only for every MIN_MODELS_PER_WORKER models', () => {
    expect(workersFor(0, 4)).toBe(1);
    expect(workersFor(2 * MIN_MODELS_PER_WORKER - 1, 4)).toBe(1);
    expect(workersFor(2 * MIN_MODELS_PER_WORKER, 4)).toBe(2);
    expect(workersFor(50, 4)).toBe(4);
    expect(workersFor(50, 1)).toBe(1);
  });

  it('spreads new slots evenly and keeps known slots on their worker', () => {
    const homes = new Map<string, number>();
    expect(assignModels(['a', 'b', 'c', 'd', 'e'], homes, 2)).toEqual([0, 1, 0, 1, 0]);
    // a, c, e stay on worker 0 and b on worker 1; the new slots fill the lighter workers first.
    expect(assignModels(['a', 'b', 'c', 'e', 'f', 'g', 'h'], homes, 3)).toEqual([0, 1, 0, 0, 2, 1, 2]);
    expect(homes.get('h')).toBe(2);
  });

  it('splits a job by worker and merges the answers back into the job order', () => {
    const models = ['m0', 'm1', 'm2', 'm3', 'm4'];
    const assignment = [2, 0, 2, 1, 0];
    const parts = splitByWorker(models, assignment, 3);
    expect(parts).toEqual([['m1', 'm4'], ['m3'], ['m0', 'm2']]);
    const answers = parts.map((part) => part.map((m) => `${m} scored`));
    expect(mergeByWorker(answers, assignment)).toEqual(models.map((m) => `${m} scored`));
    expect(() => mergeByWorker([['m1 scored'], ['m3 scored'], ['m0 scored', 'm2 scored']], assignment)).toThrow(
      /worker 0 answered 1 models, fewer than it was sent/
    );
  });
});
