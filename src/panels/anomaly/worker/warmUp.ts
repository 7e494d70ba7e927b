import { createRandom } from '@telemetry-analyzer/engine';
import type { AnalyseRequest, PanelModelJob } from './messages';

/**
 * A new worker's warm-up: a small job on made-up series, run in the worker's idle time, through the panel's own job
 * code with the panel's own parameters (a first job, then refreshes, each one step later), in a state of its own
 * whose results are thrown away.
 *
 * Why: a worker's first big job otherwise runs cold. V8 compiles the hot loops (features, forest, walk, decimation)
 * only once they have run a while, and with both cores busy scoring its background compiler waits for a core, so
 * the job runs unoptimised code (every double boxed, ~10 % of it in collections) for much of its length. In the
 * 50 × 10 000 browser case after a small first panel, traced A/B: 1.54-1.64 s against 1.94-2.10 s to the marks
 * drawn, the two workers' CPU −15 % (docs/performance.md). A warm-up never runs beside a job: posted while one runs,
 * it waits for the worker's jobs to end; once under way it stops at its next pause when a job arrives or the worker
 * scores rows for its peer.
 */
/** Warm-ups a worker is sent at most (see WorkerScorer.warmUp). */
export const WARM_UP_ATTEMPTS = 3;
/**
 * Series of the warm-up (made-up models) at WARM_UP_ROWS rows each. V8 tiers a function up on the work done in it,
 * so the warm-up must do about the work of a real big job in every per-series loop (features, walk, marks,
 * decimation), not only call it: with 12 series of 1 000 rows ~90 optimising compiles (0.37-0.56 s of compiler CPU)
 * still ran during the 50 × 10 000 job on the cores scoring it; with 12 of 8 000 rows, 0.22-0.27 s, and the job
 * drew its marks in 860-934 ms against 942-1 431 ms (same browser test, the warm-up ended before the job in both,
 * docs/performance.md). It costs a worker 1.1-1.3 s of idle time instead of 0.7-0.85 s (with one refresh): most of a
 * warm-up is compiling, not rows. Longer series (options that need more history to train) get fewer, as many as make
 * about the same rows, but never fewer than WARM_UP_MIN_MODELS.
 */
export const WARM_UP_MODELS = 12;
/** The fewest series of a warm-up, whatever their length. */
export const WARM_UP_MIN_MODELS = 4;
/** Rows per warm-up series (more when the panel's options need more to train). */
export const WARM_UP_ROWS = 8000;
/**
 * Refreshes after the warm-up's first job, each one step later. V8 optimises the refresh's own code (the comparison
 * with the previous table, the new rows' scoring, marks, regions, decimation) once it has run for enough models; with
 * a single warm-up refresh the panel's first real refreshes paid for much of that compiling, on the same two cores
 * (the bench's steady refreshes: 205-332 ms of compiler CPU over seven, 162-224 ms with these; docs/performance.md).
 * They cost a worker ~150 ms more of idle time (in Node, 100 trees: the first job 380-390 ms, each refresh 5-23 ms).
 * An online panel gets one: its refresh scores the whole range again (nothing is cached), a job as large as the first.
 */
export const WARM_UP_REFRESHES = 16;
/** Past this many rows (a panel whose options need a long history to train) a warm-up would cost too much: none. */
export const WARM_UP_MAX_ROWS = 32_000;
/** Series per warm-up model at most (a multivariate or grouped panel's models have several). */
const WARM_UP_MAX_COLUMNS = 4;

/**
 * How a warm-up ended: ran through; stopped by real work (worth another try later); skipped (the options need more
 * rows than a warm-up may cost); failed (an error of its own: not tried again).
 */
export type WarmUpOutcome = 'completed' | 'stopped' | 'skipped' | 'failed';

/** What a warm-up copies of the panel's job: every parameter but the models, and how many series a model has. */
export interface WarmUpTemplate extends Omit<AnalyseRequest, 'type' | 'jobId' | 'models'> {
  columnsPerModel: number;
}

/** The template of a panel job: its parameters, and the series count of its widest model. */
export function warmUpTemplate(request: Omit<AnalyseRequest, 'type' | 'jobId'>): WarmUpTemplate {
  const { models, ...parameters } = request;
  return { ...parameters, columnsPerModel: Math.max(1, ...models.map((m) => m.columns.length)) };
}

/** The warm-up's jobs, made one at a time: each holds fresh series (made all at once, 17 jobs held ~26 MB or more). */
export interface WarmUpJobs {
  /** Jobs in all: the first, then the refreshes. */
  readonly count: number;
  /** Job `index` (0: the first; k: the k-th refresh, k steps later). */
  job(index: number): AnalyseRequest;
}

/**
 * The warm-up's jobs: WARM_UP_MODELS made-up models (fewer when longer: see there) on the template's range
 * (trained on their own rows), then WARM_UP_REFRESHES refreshes of the same models (one for an online panel), each
 * one step later than the one before (one row gone, one new). Undefined when the template's options need more rows
 * than a warm-up may cost. The series are seeded, so a warm-up does the same work every time.
 */
export function warmUpRequests(template: WarmUpTemplate): WarmUpJobs | undefined {
  const rows = Math.max(WARM_UP_ROWS, template.check.count + 1);
  if (rows > WARM_UP_MAX_ROWS) {
    return undefined;
  }
  const { columnsPerModel, ...parameters } = template;
  const refreshes = template.online ? 1 : WARM_UP_REFRESHES;
  const columns = Math.min(WARM_UP_MAX_COLUMNS, Math.max(1, Math.floor(columnsPerModel)));
  const span = template.grid.toMs - template.grid.fromMs;
  const stepMs = Number.isFinite(span) && span > 0 ? span / rows : 60_000;
  const start = Number.isFinite(template.grid.fromMs) ? template.grid.fromMs : 0;
  const modelCount = Math.max(
    WARM_UP_MIN_MODELS,
    Math.min(WARM_UP_MODELS, Math.floor((WARM_UP_MODELS * WARM_UP_ROWS) / rows))
  );
  const values = madeUpValues(modelCount * columns, rows + refreshes);
  const jobAt = (jobId: number, shift: number): AnalyseRequest => {
    const models: PanelModelJob[] = [];
    for (let m = 0; m < modelCount; m++) {
      const modelColumns = [];
      for (let c = 0; c < columns; c++) {
        const times = new Float64Array(rows);
        for (let i = 0; i < rows; i++) {
          times[i] = start + (i + shift) * stepMs;
        }
        const series = values[m * columns + c];
        modelColumns.push({ name: `warm-up ${c}`, times, values: series.slice(shift, shift + rows) });
      }
      models.push({ slot: `warm-up ${m}`, trainingKey: 'warm-up', columns: modelColumns, mayTrain: true });
    }
    const shifted = shift * stepMs;
    const grid = { ...template.grid, fromMs: template.grid.fromMs + shifted, toMs: template.grid.toMs + shifted };
    return { ...parameters, type: 'analyse', jobId, models, grid };
  };
  const count = 1 + refreshes;
  return {
    count,
    job: (index) => {
      if (!(Number.isInteger(index) && index >= 0 && index < count)) {
        throw new RangeError(`warm-up job ${index} of ${count}`);
      }
      return jobAt(index, index);
    },
  };
}

/**
 * Seeded telemetry-like series: a wave, noise, and one burst of four high points each (so anomalies are marked and
 * drawn whatever the marking rules: a run of consecutive points, above the rolling mean; with three, two of twelve
 * series marked nothing).
 */
function madeUpValues(count: number, length: number): Float64Array[] {
  const random = createRandom(20261203);
  return Array.from({ length: count }, (_, k) => {
    const values = new Float64Array(length);
    for (let i = 0; i < length; i++) {
      values[i] = 50 + 10 * Math.sin((2 * Math.PI * i) / 288 + k) + 2 * random.nextFloat();
    }
    const burst = Math.floor(length * (0.5 + 0.05 * (k % 4)));
    for (let i = burst; i < burst + 4; i++) {
      values[i] += 40;
    }
    return values;
  });
}
