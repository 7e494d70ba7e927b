/** Most scoring workers per panel: beyond a few, a dashboard of panels would take every core. */
export const MAX_POOL_WORKERS = 4;
/** Models per worker below which starting another worker (parsing the bundle, warming up) is not worth it. */
export const MIN_MODELS_PER_WORKER = 4;

/**
 * Scoring workers a panel may use: one per core, at most MAX_POOL_WORKERS, at least 1. Not one per core but the
 * page's own: while the workers score, the main thread has little to do (about 0.2 s of CPU in a 4-5 s cycle of
 * 50 x 10 000), so on 2 cores one worker left a core mostly idle. Two workers on 2 cores, A/B in Chromium (issue 11,
 * 2026-12-03 04:21-04:23, load 7.3-8.2): 4.07 / 3.97 / 3.52 s against 5.56 / 4.91 / 4.39 s, the longest main-thread
 * task 15-18 ms of CPU.
 */
export function poolSize(hardwareConcurrency: number | undefined): number {
  const cores = Number.isInteger(hardwareConcurrency) ? (hardwareConcurrency as number) : 1;
  return Math.max(1, Math.min(cores, MAX_POOL_WORKERS));
}

/** Workers worth using for a job of `modelCount` models with at most `size` workers. */
export function workersFor(modelCount: number, size: number): number {
  return Math.max(1, Math.min(size, Math.floor(modelCount / MIN_MODELS_PER_WORKER)));
}

/**
 * The worker of each model (by position). A slot seen before stays on its worker, whose cache holds its model; a new
 * slot goes to the worker with the fewest models in this job (the lowest index on a tie), and is remembered in
 * `homes` (slot → worker index).
 */
export function assignModels(slots: readonly string[], homes: Map<string, number>, workerCount: number): number[] {
  const load = new Array<number>(workerCount).fill(0);
  const assignment = slots.map((slot) => {
    const home = homes.get(slot);
    if (home === undefined || home >= workerCount) {
      return -1;
    }
    load[home]++;
    return home;
  });
  slots.forEach((slot, i) => {
    if (assignment[i] === -1) {
      const lightest = load.indexOf(Math.min(...load));
      assignment[i] = lightest;
      load[lightest]++;
      homes.set(slot, lightest);
    }
  });
  return assignment;
}

/** The items of each worker, in their original order: `parts[k]` holds the items assigned to worker k. */
export function splitByWorker<T>(items: readonly T[], assignment: readonly number[], workerCount: number): T[][] {
  const parts = Array.from({ length: workerCount }, (): T[] => []);
  items.forEach((item, i) => parts[assignment[i]].push(item));
  return parts;
}

/** The workers' outcomes (each in the order of its part) back in the order of the job's models. */
export function mergeByWorker<T>(parts: ReadonlyArray<readonly T[]>, assignment: readonly number[]): T[] {
  const next = parts.map(() => 0);
  return assignment.map((worker) => {
    const outcome = parts[worker][next[worker]++];
    if (outcome === undefined) {
      throw new Error(`scoring worker ${worker} answered ${parts[worker].length} models, fewer than it was sent`);
    }
    return outcome;
  });
}
