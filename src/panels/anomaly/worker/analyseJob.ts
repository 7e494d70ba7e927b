import {
  type Alignment,
  AnomalyDetector,
  type DetectorOptions,
  type ScoreResult,
  type SeriesTable,
  lowerBound,
  rollingMean,
  runSteps,
  seriesStep,
} from '@telemetry-analyzer/engine';
import { markAnomalies } from '../render/anomalyMarks';
import { checkTrainingTable } from '../pipeline/checkTraining';
import { modelTable } from '../pipeline/modelTable';
import { VISIBLE_WARMUP_SHARE, scoreOnline, visibleWarmupTable } from '../pipeline/onlineScore';
import {
  ENGINE_STEP_ROWS,
  MAX_TRAINING_ROWS,
  type Scored,
  historyStart,
  rescoreNewRows,
  runInSteps,
  sliceTable,
  trainingRows,
} from '../pipeline/chunkedScore';
import {
  type GridArrays,
  type PixelGrid,
  columnWidth,
  decimateMarks,
  decimateMinMax,
  decimateRowsInto,
  emptySlots,
  firstColumn,
  firstRowOfColumn,
  mergeRegions,
} from '../pipeline/decimate';
import { type SortedSeries, sortSeriesSteps } from '../pipeline/seriesData';
import { BufferPool, pooledFloat64Array } from './bufferPool';
import { type DetectorCache, rethreshold, thresholdedAt } from './detectorCache';
import type {
  AnalyseRequest,
  DrawnSeries,
  Explanation,
  PanelColumn,
  PanelModelJob,
  PanelModelOutcome,
} from './messages';
import { JobCancelled, type JobHooks, failure } from './runScoreJob';
import { type PeerLink, scoreSharing } from './peerScoring';
import { replacedData } from './replacedData';

/**
 * What explain() needs of a slot's latest result (the table it scored and the warm-up of its features), and what a
 * refresh with the same model reuses (its scores).
 */
export interface ScoredTable {
  table: SeriesTable;
  warmup: number;
  reusable?: { trainingKey: string; scored: Scored };
  /** The buffers of the job's series (the table may be them): recycled once a newer table replaces this one. */
  inputs?: ArrayBuffer[];
  /** What was drawn of it (copies: the drawing itself is transferred), for a refresh to copy unchanged columns from. */
  drawn?: { grid: PixelGrid; line: Float64Array; scores: Float64Array };
}

/** State a scorer keeps between jobs: the trained detectors and each slot's latest scored table. */
export interface AnalyseState {
  cache: DetectorCache;
  tables: Map<string, ScoredTable>;
  /** drawModelSteps' working arrays (made on first use). */
  scratch?: DrawScratch;
  /** Series buffers of replaced tables, no longer referenced here: the host hands them back (takeRecycled). */
  recycled?: ArrayBuffer[];
  /** Another worker that scores half of a big table's rows (peerScoring.ts); none on the main thread. */
  peer?: PeerLink;
  /**
   * The worker's: buffers of its earlier answers that the panel gave back (AnalyseRequest.returned), for the grid-sized
   * arrays of the next ones. None on the main thread, whose answers are the arrays the panel draws.
   */
  outputs?: BufferPool;
}

/** Where a job's grid-sized arrays come from: the buffers given back when there are some of the size, else new ones. */
function gridArrays(state: AnalyseState): GridArrays {
  return (length) => pooledFloat64Array(state.outputs, length);
}

/** A slot's new latest table; the buffers of the series behind the one it replaces are recycled. */
function setTable(state: AnalyseState, slot: string, entry: ScoredTable): void {
  const previous = state.tables.get(slot);
  state.tables.set(slot, entry);
  if (previous?.inputs && previous.inputs !== entry.inputs) {
    (state.recycled ??= []).push(...previous.inputs);
  }
}

/** The buffers recycled since the last call (see AnalyseState.recycled). */
export function takeRecycled(state: AnalyseState): ArrayBuffer[] {
  const buffers = state.recycled ?? [];
  state.recycled = [];
  return buffers;
}

/** The distinct buffers of a job's series. */
function inputBuffers(columns: PanelColumn[]): ArrayBuffer[] {
  return [...new Set(columns.flatMap((c) => [c.times.buffer as ArrayBuffer, c.values.buffer as ArrayBuffer]))];
}

/**
 * A panel's whole job, off the main thread (or in small steps on it): per model, the series sorted once into
 * typed-array tables (aligned on a common step when several), training (or the cached model), scoring in chunks,
 * the marking rules, and everything the panel draws, sized to its pixel columns. Pauses between steps; throws
 * JobCancelled as soon as it notices a cancel.
 */
export async function runAnalyseJob(
  request: AnalyseRequest,
  state: AnalyseState,
  hooks: JobHooks
): Promise<PanelModelOutcome[]> {
  const outcomes: PanelModelOutcome[] = [];
  state.scratch ??= new DrawScratch();
  if (request.returned?.length) {
    (state.outputs ??= new BufferPool()).put(request.returned);
  }
  const total = Math.max(1, request.models.length);
  let done = 0;
  const pause = async () => {
    await hooks.pause();
    if (hooks.isCancelled()) {
      throw new JobCancelled();
    }
  };
  for (const model of request.models) {
    let outcome: PanelModelOutcome;
    try {
      outcome = await analyseModel(model, request, state, pause, hooks.engineStepRows ?? ENGINE_STEP_ROWS);
    } catch (error) {
      if (error instanceof JobCancelled) {
        throw error;
      }
      outcome = failure(model, error);
    }
    // A missing model is sent its training rows at once (the panel retries): nothing is drawn for it meanwhile,
    // unless the panel has none to send (an empty baseline: a browser review found the whole panel blank).
    if (!outcome.ok && (outcome.code !== 'model-missing' || model.noTrainingRows)) {
      outcome = { ...outcome, series: await unscoredLines(model.columns, request.grid, pause, gridArrays(state)) };
    }
    outcomes.push(outcome);
    hooks.progress(++done, total);
    await pause();
  }
  state.outputs?.endRound();
  return outcomes;
}

/** Each column sorted (sortSeries), in steps with pauses. */
async function sortedSeries(columns: PanelColumn[], pause: () => Promise<void>): Promise<SortedSeries[]> {
  const sorted: SortedSeries[] = [];
  for (const column of columns) {
    sorted.push(await runInSteps(sortSeriesSteps(column), pause));
  }
  return sorted;
}

/**
 * The lines of a model's series that were not analysed (too few points, constant, refused by the engine): drawn
 * like the others, without marks. Undefined when even that fails (the model's problem is said all the same).
 */
async function unscoredLines(
  columns: PanelColumn[],
  grid: PixelGrid,
  pause: () => Promise<void>,
  arrays: GridArrays
): Promise<DrawnSeries[] | undefined> {
  try {
    const sorted = await sortedSeries(columns, pause);
    return columns.map((column, c) => ({
      name: column.name,
      line: decimateMinMax(grid, sorted[c].timestamps, sorted[c].values, arrays),
      marks: new Float64Array(0),
      markTimes: new Float64Array(0),
      regions: new Float64Array(0),
      runs: new Float64Array(0),
      anomalyCount: 0,
      stepMs: seriesStep(sorted[c]),
    }));
  } catch (error) {
    if (error instanceof JobCancelled) {
      throw error;
    }
    return undefined;
  }
}

async function analyseModel(
  model: PanelModelJob,
  request: AnalyseRequest,
  state: AnalyseState,
  pause: () => Promise<void>,
  stepRows: number
): Promise<PanelModelOutcome> {
  const sorted = await sortedSeries(model.columns, pause);
  const { table, alignment } = modelTable(model.columns, sorted, request.intervalMs);
  const warmup = Math.max(request.window - 1, request.detector.features?.lags ?? 1, 1);
  const options = {
    ...request.detector,
    forest: { ...request.detector.forest, contamination: request.contamination },
    mode: 'multivariate' as const,
  };

  if (request.online) {
    return analyseOnline(model, request, state, { table, sorted, alignment, warmup, options }, pause);
  }
  let detector = state.cache.get(model.slot, model.trainingKey);
  const previous = state.tables.get(model.slot);
  // Other values under the same series and range (replacedData): the cached model and the previous scores learned
  // and scored other data. The model trains again (on baseline rows the panel then sends: 'model-missing').
  const replaced = detector !== undefined && previous !== undefined && replacedData(previous.table, table);
  if (replaced) {
    state.cache.delete(model.slot);
    detector = undefined;
  }
  // A model trained on the visible rows judges them as training rows: a refresh whose rows became too few or
  // constant says so, as a first analysis of them would, instead of scoring them with the model of the rows before.
  if (detector && request.check.trainsOnScoredRows) {
    const problem = checkTrainingTable(table, request.check);
    if (problem) {
      return { slot: model.slot, ok: false, code: problem.kind, message: problem.message };
    }
  }
  let trained = false;
  let scored: Scored | undefined;
  if (!detector) {
    if (!model.mayTrain) {
      return { slot: model.slot, ok: false, code: 'model-missing', message: 'no cached model; send training data' };
    }
    const training = model.training
      ? modelTable(model.training, await sortedSeries(model.training, pause), request.intervalMs, alignment?.stepMs)
          .table
      : table;
    const problem = checkTrainingTable(training, request.check);
    if (problem) {
      return { slot: model.slot, ok: false, code: problem.kind, message: problem.message };
    }
    await pause();
    // The engine's trainAndScore in steps (a pause whenever a step budget has passed): exactly its result.
    if (!model.training && table.timestamps.length <= MAX_TRAINING_ROWS) {
      // Training on the rows it scores: one feature build, and the training rows' scores are the table's.
      const both = await runInSteps(AnomalyDetector.trainAndScoreSteps(table, options, stepRows), pause);
      detector = both.detector;
      scored = fromResult(both.results[0]);
    } else {
      // The same model as train(); its threshold's scoring of the training rows is done here, in steps, too.
      detector = (
        await runInSteps(AnomalyDetector.trainAndScoreSteps(trainingRows(training), options, stepRows), pause)
      ).detector;
    }
    state.cache.set(model.slot, model.trainingKey, detector);
    thresholdedAt(detector, request.contamination);
    trained = true;
    await pause();
  }
  let scoredAnew = table.timestamps.length;
  let reuse: DrawReuse | undefined;
  if (!scored) {
    rethreshold(detector, request.contamination);
    if (!trained && previous?.reusable && previous.reusable.trainingKey === model.trainingKey) {
      // A refresh with the same model: only the rows that changed or are new are scored. The previous scores are
      // read by nothing else (the engine's results, a trainAndScore's included, are the caller's own arrays: the
      // forest keeps a copy), so the refresh writes into them.
      const refreshed = await rescoreNewRows(
        detector,
        { table: previous.table, scored: previous.reusable.scored, reusable: true },
        table,
        warmup,
        pause,
        stepRows
      );
      scored = refreshed.scored;
      scoredAnew = refreshed.scoredRows;
      // The columns holding only rows the refresh kept are copied (drawModelSteps: for one series drawn from the table).
      if (refreshed.kept && previous.drawn) {
        reuse = { ...refreshed.kept, drawn: previous.drawn, oldTimes: previous.table.timestamps };
      }
    } else {
      scored = await scoreSharing(detector, table, warmup, pause, stepRows, state.peer);
    }
  }
  const entry: ScoredTable = {
    table,
    warmup,
    reusable: { trainingKey: model.trainingKey, scored },
    inputs: inputBuffers(model.columns),
  };
  setTable(state, model.slot, entry);
  await pause();
  const outcome = await runInSteps(
    drawModelSteps(model, request, table, sorted, scored, {
      trained,
      alignment,
      scratch: state.scratch,
      reuse,
      arrays: gridArrays(state),
    }),
    pause
  );
  if (outcome.ok && outcome.series.length === 1) {
    // Into the previous drawing's copies when they fit: the drawing itself goes to the panel, these stay here.
    entry.drawn = {
      grid: request.grid,
      line: copyInto(outcome.series[0].line, previous?.drawn?.line),
      scores: copyInto(outcome.scores, previous?.drawn?.scores),
    };
  }
  return { ...outcome, scoredAnew } as PanelModelOutcome;
}

/** Online mode: the training rows warm the engine's OnlineDetector up, the visible rows are scored online. */
async function analyseOnline(
  model: PanelModelJob,
  request: AnalyseRequest,
  state: AnalyseState,
  prepared: {
    table: SeriesTable;
    sorted: SortedSeries[];
    alignment?: Alignment;
    warmup: number;
    options: DetectorOptions;
  },
  pause: () => Promise<void>
): Promise<PanelModelOutcome> {
  const { table, sorted, alignment, warmup, options } = prepared;
  const training = model.training
    ? modelTable(model.training, await sortedSeries(model.training, pause), request.intervalMs, alignment?.stepMs).table
    : undefined;
  // The rows that warm the detector up are judged, not the rows after the window's end (scored, not trained on).
  const end = request.onlineWarmupEndMs;
  const warmupRows =
    training && end !== undefined ? sliceTable(training, 0, lowerBound(training.timestamps, end)) : training;
  // Without a training range the first 30 % of the visible rows warm the detector up: judged and named as such (a
  // review: 20 points passed the check, and the engine then said "0 usable rows, training needs 19").
  const problem = warmupRows
    ? checkTrainingTable(warmupRows, request.check)
    : checkTrainingTable(visibleWarmupTable(table), {
        ...request.check,
        where: `in the first ${VISIBLE_WARMUP_SHARE * 100} % of the visible range, which warms online mode up without a training range (widen the range or choose one)`,
      });
  if (problem) {
    return { slot: model.slot, ok: false, code: problem.kind, message: problem.message };
  }
  const { scored, detector } = await scoreOnline(table, training, options, pause, end);
  if (detector.detector) {
    // For explanations only: online jobs always bring their training rows (nothing is reused).
    state.cache.set(model.slot, `${model.trainingKey}|online`, detector.detector);
  }
  setTable(state, model.slot, { table, warmup, inputs: inputBuffers(model.columns) });
  return runInSteps(
    drawModelSteps(model, request, table, sorted, scored, {
      trained: true,
      alignment,
      scratch: state.scratch,
      arrays: gridArrays(state),
    }),
    pause
  );
}

/** A copy of `source`, in `into` when it has the same length (its contents are no longer wanted). */
function copyInto(source: Float64Array, into: Float64Array | undefined): Float64Array {
  if (into?.length !== source.length) {
    return source.slice();
  }
  into.set(source);
  return into;
}

function fromResult(result: ScoreResult): Scored {
  return { rows: result.rowIndex, scores: result.scores, threshold: result.threshold };
}

/**
 * Working arrays drawModelSteps reuses from model to model and job to job: none of them outlives a drawing (what is
 * sent is sized to the grid), and new memory is expensive in a browser (each fresh page is faulted in and zeroed: in
 * Chromium on the 2-core machine, writing 8 MB of fresh typed arrays took 30-300 ms, the same writes into arrays
 * already used 2 ms). One per scorer (AnalyseState): a job of a scorer interrupted at a pause by a newer one is
 * cancelled there and never resumes its drawing, so two drawings never share them.
 */
export class DrawScratch {
  private readonly f64s = [new Float64Array(0), new Float64Array(0)];
  private readonly u8s = [new Uint8Array(0), new Uint8Array(0), new Uint8Array(0)];

  /** Float64 working array k, n long (contents undefined). */
  f64(k: number, n: number): Float64Array {
    if (this.f64s[k].length < n) {
      this.f64s[k] = new Float64Array(n);
    }
    return this.f64s[k].subarray(0, n);
  }

  /** Uint8 working array k, n long (contents undefined). */
  u8(k: number, n: number): Uint8Array {
    if (this.u8s[k].length < n) {
      this.u8s[k] = new Uint8Array(n);
    }
    return this.u8s[k].subarray(0, n);
  }
}

/**
 * What a refresh's drawing of a one-series model may copy from the previous drawing: the new table's rows
 * [0, same) are the previous table's rows [offset, offset + same) (whose times are oldTimes), and the scored rows
 * before table row `from` kept their scores.
 */
export interface DrawReuse {
  offset: number;
  same: number;
  from: number;
  oldTimes: Float64Array;
  drawn: NonNullable<ScoredTable['drawn']>;
}

/**
 * The anchored columns [lo, hi] (see decimate.ts) whose rows are the same rows, with the same values, in both
 * drawings: inside both grids (not their cut first and last columns), after the new table's first row (no dropped
 * row in them) and before the first row that changed in either table. Undefined when none (another width or span).
 */
function keptColumns(
  grid: PixelGrid,
  previous: PixelGrid,
  times: Float64Array,
  reuse: Pick<DrawReuse, 'offset' | 'same' | 'oldTimes'>
): { lo: number; hi: number } | undefined {
  const width = columnWidth(grid);
  if (previous.columns !== grid.columns || columnWidth(previous) !== width || reuse.same === 0) {
    return undefined;
  }
  const first = firstColumn(grid);
  const previousFirst = firstColumn(previous);
  const lo = Math.max(first, previousFirst, Math.floor(times[0] / width)) + 1;
  let hi = Math.min(first, previousFirst) + grid.columns - 2;
  if (reuse.same < times.length) {
    hi = Math.min(hi, Math.floor(times[reuse.same] / width) - 1);
  }
  if (reuse.offset + reuse.same < reuse.oldTimes.length) {
    hi = Math.min(hi, Math.floor(reuse.oldTimes[reuse.offset + reuse.same] / width) - 1);
  }
  return lo <= hi ? { lo, hi } : undefined;
}

/**
 * decimateMinMax(grid, times, values), with the anchored columns [lo, hi] copied from `previousY` (drawn on
 * `previous`) and only the rows of the other columns decimated: the same result when those columns hold the same rows.
 */
function decimateKeeping(
  grid: PixelGrid,
  times: Float64Array,
  values: Float64Array,
  kept: { lo: number; hi: number; previous: PixelGrid; previousY: Float64Array } | undefined,
  arrays: GridArrays | undefined
): Float64Array {
  if (!kept) {
    return decimateMinMax(grid, times, values, arrays);
  }
  const { lo, hi, previous, previousY } = kept;
  const width = columnWidth(grid);
  const y = emptySlots(grid, arrays);
  const previousFirst = firstColumn(previous);
  y.set(previousY.subarray(2 * (lo - previousFirst), 2 * (hi + 1 - previousFirst)), 2 * (lo - firstColumn(grid)));
  decimateRowsInto(y, grid, times, values, 0, firstRowOfColumn(times, width, lo));
  decimateRowsInto(y, grid, times, values, firstRowOfColumn(times, width, hi + 1), times.length);
  return y;
}

/** Rows per step of drawModelSteps' own loops. */
const DRAW_STEP_ROWS = 65_536;

/** Marks, regions, lines and scores of one scored model, sized to the grid. */
export function drawModel(...args: Parameters<typeof drawModelSteps>): PanelModelOutcome {
  return runSteps(drawModelSteps(...args));
}

/** drawModel in steps (a generator: see the engine's steps), a pass over the rows per step, with the same result. */
export function* drawModelSteps(
  model: Pick<PanelModelJob, 'slot' | 'columns'>,
  request: Pick<AnalyseRequest, 'grid' | 'rules' | 'window'>,
  table: SeriesTable,
  sorted: SortedSeries[],
  scored: Scored,
  extra: {
    trained: boolean;
    alignment?: Alignment;
    scratch?: DrawScratch;
    reuse?: DrawReuse;
    /** Where the grid-sized arrays of the answer come from [new ones]. */
    arrays?: GridArrays;
  }
): Generator<void, PanelModelOutcome> {
  const { grid, rules } = request;
  const scratch = extra.scratch ?? new DrawScratch();
  // A previous drawing's columns are reused only for one series drawn from the table itself: it holds one line and
  // one score pane, of those very rows.
  const reuse = model.columns.length === 1 && sorted[0]?.timestamps === table.timestamps ? extra.reuse : undefined;
  const n = scored.rows.length;
  // Scored rows are ascending: consecutive ones (every row from the first scorable one, no missing value: the usual
  // case) are views of the table's own arrays, nothing gathered row by row.
  const first = n > 0 ? scored.rows[0] : 0;
  const consecutive = n === 0 || scored.rows[n - 1] - first === n - 1;
  const times = consecutive ? table.timestamps.subarray(first, first + n) : scratch.f64(0, n);
  const isAnomaly = scratch.u8(0, n);
  let flaggedRows = 0;
  let min = Infinity;
  let max = -Infinity;
  // A step per DRAW_STEP_ROWS rows: a model drawn once runs these loops before the JIT has compiled them.
  for (let from = 0; from < n; from += DRAW_STEP_ROWS) {
    const to = Math.min(n, from + DRAW_STEP_ROWS);
    if (!consecutive) {
      gather(table.timestamps, scored.rows, times, from, to);
    }
    const step = scoredRows(scored, isAnomaly, from, to);
    flaggedRows += step.flagged;
    min = Math.min(min, step.min);
    max = Math.max(max, step.max);
    yield;
  }
  const gap = columnWidth(grid);
  const series: DrawnSeries[] = [];
  for (let c = 0; c < model.columns.length; c++) {
    const column = model.columns[c];
    const columnValues = table.columns[c].values;
    const values = consecutive ? columnValues.subarray(first, first + n) : scratch.f64(1, n);
    for (let from = 0; from < n && !consecutive; from += DRAW_STEP_ROWS) {
      gather(columnValues, scored.rows, values, from, Math.min(n, from + DRAW_STEP_ROWS));
      yield;
    }
    let mean: ArrayLike<number> = [];
    if (rules.direction !== 'both') {
      const means = rollingMean(columnValues, request.window);
      if (consecutive) {
        mean = means.subarray(first, first + n);
      } else {
        const atRows = new Float64Array(n);
        gather(means, scored.rows, atRows, 0, n);
        mean = atRows;
      }
    }
    yield;
    const { marked, regions } = markAnomalies({ times, values, rollingMean: mean, isAnomaly }, rules, {
      candidate: scratch.u8(1, n),
      marked: scratch.u8(2, n),
    });
    yield;
    const marks = decimateMarks(grid, times, values, marked, regions, extra.arrays);
    // Every marked point is in a run (a region): their lengths add up to the count.
    let anomalyCount = 0;
    for (const region of regions) {
      anomalyCount += region.last - region.first + 1;
    }
    yield;
    const lineKept = reuse && keptColumns(grid, reuse.drawn.grid, sorted[c].timestamps, reuse);
    const line = decimateKeeping(
      grid,
      sorted[c].timestamps,
      sorted[c].values,
      reuse && lineKept && { ...lineKept, previous: reuse.drawn.grid, previousY: reuse.drawn.line },
      extra.arrays
    );
    yield;
    series.push({
      name: column.name,
      line,
      marks: marks.y,
      markTimes: marks.t,
      regions: mergeRegions(regions, gap),
      runs: mergeRegions(regions, 0),
      anomalyCount,
      stepMs: seriesStep(sorted[c]),
    });
  }
  return {
    slot: model.slot,
    ok: true,
    trained: extra.trained,
    threshold: scored.threshold,
    scoredRows: n,
    flaggedRows,
    unscoredRows: table.timestamps.length - n,
    scores: decimateKeeping(grid, times, scored.scores, scoresKept(grid, table, times, reuse), extra.arrays),
    scoreRange: n > 0 ? [min, max] : [0, 1],
    series,
    alignment: extra.alignment,
  };
}

/**
 * The score pane's columns a refresh copies: those of the line's kept columns that are after the first scored row and
 * before the first row scored anew (a row's score is kept only before it).
 */
function scoresKept(grid: PixelGrid, table: SeriesTable, times: Float64Array, reuse: DrawReuse | undefined) {
  if (!reuse || times.length === 0) {
    return undefined;
  }
  const kept = keptColumns(grid, reuse.drawn.grid, table.timestamps, reuse);
  if (!kept) {
    return undefined;
  }
  const width = columnWidth(grid);
  const lo = Math.max(kept.lo, Math.floor(times[0] / width) + 1);
  const hi =
    reuse.from < table.timestamps.length
      ? Math.min(kept.hi, Math.floor(table.timestamps[reuse.from] / width) - 1)
      : kept.hi;
  return lo <= hi ? { lo, hi, previous: reuse.drawn.grid, previousY: reuse.drawn.scores } : undefined;
}

/**
 * Rows [from, to) of a model's scored rows: their flags (a score over the threshold, or the online detector's own
 * flag); returns how many are flagged and the scores' min and max.
 */
function scoredRows(
  scored: Scored,
  isAnomaly: Uint8Array,
  from: number,
  to: number
): { flagged: number; min: number; max: number } {
  const { scores, flags, threshold } = scored;
  let flagged = 0;
  let min = Infinity;
  let max = -Infinity;
  for (let i = from; i < to; i++) {
    const s = scores[i];
    const flag = flags ? flags[i] : s > threshold ? 1 : 0;
    isAnomaly[i] = flag;
    flagged += flag;
    min = Math.min(min, s);
    max = Math.max(max, s);
  }
  return { flagged, min, max };
}

/** out[i] = source[rows[i]] for i in [from, to). */
function gather(source: Float64Array, rows: Int32Array, out: Float64Array, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    out[i] = source[rows[i]];
  }
}

/**
 * The top contributing features of the anomaly at `time` in a slot's latest result: its features rebuilt from the
 * few rows of history it needs, so hovering costs the same whatever the table's size. Null when the time is not a
 * scored row.
 */
export function explainAt(state: AnalyseState, slot: string, time: number, top: number): Explanation | null {
  const scoredTable = state.tables.get(slot);
  const detector = state.cache.latest(slot);
  if (!scoredTable || !detector) {
    return null;
  }
  const { table, warmup } = scoredTable;
  const row = findRow(table.timestamps, time);
  if (row < 0) {
    return null;
  }
  const from = historyStart(table, row, warmup);
  const slice = sliceTable(table, from, row + 1);
  const [result] = detector.score(slice);
  const i = result.rowIndex.length - 1;
  if (i < 0 || from + result.rowIndex[i] !== row) {
    return null;
  }
  const contributions = detector.explain(slice, result, i, top);
  return {
    time,
    contributions: contributions.map((c) => ({ name: c.name ?? `feature ${c.feature}`, weight: c.weight })),
  };
}

function findRow(timestamps: Float64Array, time: number): number {
  const row = lowerBound(timestamps, time);
  return timestamps[row] === time ? row : -1;
}
