/**
 * `detect`: check the input (pass 1), get the detectors (pass 2: training rows, or --model), then score every row
 * in chunks (pass 3: the rows pass 1 kept, or the input read again) while streaming scores.csv and anomalies.csv
 * out, and finally write summary.json, model.json and report.html. Memory: the training rows + the rows pass 1 kept
 * (at most KEEP_PARSED_BYTES) + the chunks in flight (+ the report's downsampled series and the anomalies).
 */
import { join } from 'path';
import {
  AnomalyDetector,
  overFlaggingWarning,
  type DetectorMode,
  type OnlineOptions,
} from '@telemetry-analyzer/engine';
import { formatTimestamp } from '../input/timestamp';
import type { InputSchema } from '../input/inputSchema';
import { partialRowsScored, RowReader } from '../input/rowReader';
import { GroupIndex, readRowBatch, sliceRowBatch, type RowBatch } from '../input/rowBatch';
import { readDataRecordBatches } from '../input/recordBatches';
import { scanInput, type ScanResult } from '../input/scanInput';
import { KEEP_PARSED_BYTES } from '../input/keptRows';
import { writeAtomically, type TextFileWriter } from '../output/atomicOutput';
import { csvLine } from '../output/csv';
import { InputError } from '../errors';
import { Progress } from '../progress';
import { ReportCollector } from '../report/reportCollector';
import { renderReport } from '../report/renderReport';
import { TOP_FEATURES } from './chunkScorer';
import type { ScoringOutcome, ScoringPlan } from './groupScoring';
import { ScoreLines } from './scoreLines';
import { prestartScoring, startScoring, type PrestartedWorker } from './scoringThread';
import type { DetectionSettings } from './detectionOptions';
import { openReopenableInput, type ReopenableInput } from './inputFile';
import { loadModel, writeModel, type ModelBundle } from './modelFile';
import { loadModelForScan, rolesForModel, trainForScan, type ObtainedDetectors } from './obtainDetectors';
import { MISSING, SCORED, TRAINING, UNTRAINED, type BatchScores } from './batchScores';
import { ColumnRange, unseenVariationWarning } from './unseenVariation';
import { columnWarnings } from '../input/columnWarnings';
import { allGroupsWarning } from './allGroupsFlagging';
import { someNames } from './someNames';
import { sparseColumnsAdvice } from './sparseColumnsAdvice';
import { printWarnings } from '../output/printWarnings';
import { groupPrefix } from '../output/groupPrefix';

/**
 * Batches scored ahead of the one being written: keeps both threads busy with bounded memory (at most this many
 * --chunk-rows batches). Online, each thread also waits for the other's part of a batch (the reading thread walks a
 * share of its rows: WalkBalance); with 2 in flight both idled ~10 % of a run, with 6 next to nothing.
 */
const BATCHES_IN_FLIGHT = 6;

export interface DetectRequest {
  input: string;
  format?: string;
  outputDir: string;
  settings: DetectionSettings;
  modelPath?: string;
  /** --contamination was given explicitly (with --model it re-thresholds the loaded model). */
  contaminationGiven: boolean;
  /**
   * Memory for the rows the check pass parsed, so that scoring need not read the input again; a larger input is
   * read again [KEEP_PARSED_BYTES]
   */
  keepParsedBytes?: number;
}

interface GroupCounts {
  rows_read: number;
  rows_scored: number;
  rows_skipped: { warm_up: number; missing: number; training: number; untrained: number };
  training_rows: number;
  anomalies: number;
  threshold?: number | Record<string, number>;
}

export interface DetectOutcome {
  summary: Record<string, unknown>;
}

export async function runDetect(request: DetectRequest): Promise<DetectOutcome> {
  const started = Date.now();
  const { settings } = request;
  const input = await openReopenableInput(request.input, request.format);
  const prestarted = prestartScoring(settings.threads, request.input);
  try {
    // Read once: a grouped model file may hold thousands of detectors.
    const model = request.modelPath ? loadModel(request.modelPath) : undefined;
    const roles = model ? rolesForModel(model, settings.roles) : settings.roles;
    const { quiet, strict } = settings;
    const keep = request.keepParsedBytes ?? KEEP_PARSED_BYTES;
    const scan = await scanInput(input.open, input.format, input.source, roles, quiet, strict, keep);
    const obtained = model
      ? loadModelForScan(model, scan, request.contaminationGiven, settings)
      : settings.online
        ? onlineDetectors(scan, settings)
        : await trainForScan(input, scan, settings);
    return await writeAtomically(
      request.outputDir,
      (output) =>
        scoreAndWrite(request, input, scan, obtained, started, prestarted, {
          scores: output.open(join(request.outputDir, 'scores.csv')),
          anomalies: output.open(join(request.outputDir, 'anomalies.csv')),
          write: (name, text) => output.writeFile(join(request.outputDir, name), text),
          writeModel: (name, bundle) => writeModel(output.open(join(request.outputDir, name)), bundle),
        }),
      [request.input, request.modelPath, settings.trainFile].filter((path): path is string => path !== undefined)
    );
  } finally {
    prestarted?.end();
    input.close();
  }
}

interface Outputs {
  scores: TextFileWriter;
  anomalies: TextFileWriter;
  write(name: string, text: string): Promise<void>;
  /** A model file, written a piece at a time (writeModel): it may be longer than one string can be. */
  writeModel(name: string, bundle: ModelBundle): Promise<void>;
}

async function scoreAndWrite(
  request: DetectRequest,
  input: ReopenableInput,
  scan: ScanResult,
  obtained: ObtainedDetectors,
  started: number,
  prestarted: PrestartedWorker | undefined,
  outputs: Outputs
): Promise<DetectOutcome> {
  const { settings } = request;
  const { schema } = scan;
  const { detectors } = obtained.bundle;
  const online = settings.online !== undefined && request.modelPath === undefined;
  const mode = online ? settings.detector.mode : [...detectors.values()][0].options.mode;
  const perColumn = mode === 'per-column';
  const groupColumn = schema.groupIndex >= 0 ? schema.header[schema.groupIndex] : undefined;
  const groups = new GroupIndex(scan.groups.keys());
  const plan: ScoringPlan = {
    groups: groups.names,
    metricNames: schema.metricNames,
    source: schema.source,
    headerLine: schema.headerLine,
    perColumn,
    partialRows: partialRowsScored(mode, online),
    grouped: groupColumn !== undefined,
    online: online ? { detector: settings.detector, options: settings.online! } : undefined,
  };
  const counts: GroupCounts[] = groups.names.map((group) => ({
    rows_read: 0,
    rows_scored: 0,
    rows_skipped: { warm_up: 0, missing: 0, training: 0, untrained: 0 },
    training_rows: obtained.trainingRows.get(group) ?? 0,
    anomalies: 0,
  }));
  const report = new ReportCollector(schema.metricNames, scan.groups);
  // Online with --raw: the range of each group's warm-up rows (those its first model trains on), for
  // unseenVariationWarning.
  const raw = settings.detector.features.raw === true;
  const warmUpRanges = online && raw ? groups.names.map(() => schema.metricNames.map(() => new ColumnRange())) : [];

  await outputs.scores.write(csvLine(scoresHeader(groupColumn, perColumn ? schema.metricNames : [], online)));
  await outputs.anomalies.write(csvLine(anomaliesHeader(groupColumn, schema.metricNames)));

  const grouped = groupColumn !== undefined;
  const scoreLines = new ScoreLines(groups.names, grouped, perColumn, online);
  const emit = async (batch: RowBatch, scores: BatchScores) => {
    countRows(batch, scores, counts, plan.online?.options.warmup, warmUpRanges);
    const anomalies = anomalyLines(batch, scores, counts, groups.names, grouped);
    await outputs.scores.write(scoreLines.of(batch, scores));
    await outputs.anomalies.write(anomalies);
    report.addBatch(batch, scores, groups.names);
  };

  const progress = new Progress('scoring', settings.quiet, scan.rows);
  const scoring = startScoring(plan, settings.threads, scan.rows, online ? undefined : detectors, prestarted);
  let outcome: ScoringOutcome;
  try {
    // Batches being scored (on the scoring thread, if any) while the next ones are read; emitted in order.
    const inFlight: Array<{ batch: RowBatch; scores: Promise<BatchScores> }> = [];
    const emitOldest = async () => {
      const { batch, scores } = inFlight.shift()!;
      await emit(batch, await scores);
    };
    let rowsRead = 0;
    for await (const batch of rowBatches(input, scan, groups, settings)) {
      const scores = scoring.score(batch);
      scores.catch(() => undefined); // seen when its turn comes; not an unhandled rejection before
      inFlight.push({ batch, scores });
      if (inFlight.length > BATCHES_IN_FLIGHT) {
        await emitOldest();
      }
      rowsRead += batch.size;
      progress.update(rowsRead);
    }
    // Asked before the last batches are written: the scoring thread encodes the last models meanwhile.
    const finished = scoring.finish();
    finished.catch(() => undefined); // seen below, after the batches' own failures
    while (inFlight.length > 0) {
      await emitOldest();
    }
    outcome = await finished;
  } finally {
    scoring.close();
  }
  progress.done();

  // Everything worth a warning goes to stderr and into summary.json alike.
  const repairs = repairsWarning(scan);
  const warnings: string[] = [
    ...(repairs === undefined ? [] : [repairs]),
    // As the scoring did: a loaded model's mode, which the flags need not repeat.
    ...columnWarnings(scan, { partialRows: plan.partialRows, online }),
    ...obtained.warnings,
  ];
  let anyGroupWarned = false;
  groups.names.forEach((group, g) => {
    const groupCounts = counts[g];
    groupCounts.threshold = outcome.thresholds[g];
    const warning = overFlaggingWarning(groupCounts.anomalies, groupCounts.rows_scored, settings.contamination, online);
    if (warning !== undefined) {
      anyGroupWarned = true;
      warnings.push(`${groupPrefix(group)}${warning}`);
    }
  });
  const shares = counts.map((c) => ({ flagged: c.anomalies, scored: c.rows_scored }));
  const overall = allGroupsWarning(shares, settings.contamination, online, anyGroupWarned);
  if (overall !== undefined) {
    warnings.push(overall);
  }
  if (online) {
    const untrained: string[] = [];
    groups.names.forEach((group, g) => {
      const model = outcome.models[g];
      if (model !== undefined) {
        detectors.set(group, AnomalyDetector.fromJSON(model));
      } else {
        untrained.push(group);
      }
      const inGroup = groupPrefix(group);
      const constant = outcome.constantColumns[g];
      if (constant !== undefined) {
        warnings.push(`${inGroup}${constant}`);
      }
      const unseen = raw ? unseenVariationWarning(schema.metricNames, warmUpRanges[g], inGroup) : undefined;
      if (unseen !== undefined) {
        warnings.push(unseen);
      }
    });
    if (untrained.length > 0) {
      const which = groupColumn === undefined ? 'the input' : `group ${someNames(untrained, 3)}`;
      const warmup = `never completed the --warmup ${settings.online!.warmup} rows that train a model`;
      // As in batch mode: a run that scored nothing is refused, and so is a group left without a model under
      // --strict (a review: both exited 0, "200 rows read, 0 scored").
      if (detectors.size === 0) {
        const read = counts.reduce((sum, c) => sum + c.rows_read, 0);
        const advice =
          sparseColumnsAdvice(schema.metricNames, scan.missingPerMetric, scan.rows) ??
          'lower --warmup, or give a longer input';
        throw new InputError(
          { source: schema.source },
          `${which} ${warmup}: no row was scored (${read} rows read; ${advice})`
        );
      }
      if (settings.strict) {
        throw new InputError({ source: schema.source }, `${which} ${warmup}; --strict refuses a group without a model`);
      }
      warnings.push(`model.json has no model for ${which}: it ${warmup}`);
    }
  }
  if (!settings.quiet) {
    printWarnings(warnings, 'summary.json');
  }
  const countsByGroup = new Map(groups.names.map((group, g) => [group, counts[g]]));
  const summary = {
    ...buildSummary(request, schema, scan, obtained, countsByGroup, started),
    threads: scoring.threads,
    warnings,
  };
  await outputs.write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  if (request.modelPath !== undefined) {
    // Scored with a given model: its file is the model (this run may even have read it from this directory).
  } else {
    // The trained models (batch), or the models current at the end of the input (online), reusable for batch
    // scoring with --model; a group too short to train has none, and its warning says so. A run that trains no
    // model at all is refused before it gets here (trainDetectors; online, above).
    await outputs.writeModel('model.json', obtained.bundle);
  }
  await outputs.write(
    'report.html',
    renderReport({ title: `Anomalies in ${input.source}`, summary, ...report.plots() })
  );
  return { summary };
}

/**
 * The input's rows in batches of at most --chunk-rows: the rows the check pass kept (ScanResult.rowBatches, each let
 * go once handed out), or else read and parsed again, a chunk of the file at a time. Either way small enough that
 * their rows die young, which keeps garbage collection cheap.
 */
async function* rowBatches(
  input: ReopenableInput,
  scan: ScanResult,
  groups: GroupIndex,
  settings: DetectionSettings
): AsyncGenerator<RowBatch> {
  const { chunkRows } = settings;
  const kept = scan.rowBatches;
  if (kept !== undefined) {
    scan.rowBatches = undefined;
    for (let batch = kept.shift(); batch !== undefined; batch = kept.shift()) {
      if (batch.size <= chunkRows) {
        yield batch;
        continue;
      }
      for (let from = 0; from < batch.size; from += chunkRows) {
        yield sliceRowBatch(batch, from, Math.min(batch.size, from + chunkRows));
      }
    }
    return;
  }
  const rowReader = new RowReader(scan.schema, settings.strict);
  for await (const { records, first } of readDataRecordBatches(input.open, input.format, input.source)) {
    for (let from = first; from < records.size; from += chunkRows) {
      yield readRowBatch(records, from, Math.min(records.size, from + chunkRows), rowReader, groups);
    }
  }
}

function scoresHeader(groupColumn: string | undefined, perColumnMetrics: string[], online: boolean): string[] {
  const own = [
    'anomaly_score',
    ...(online ? ['raw_score'] : []),
    'is_anomaly',
    'status',
    ...perColumnMetrics.map((metric) => `anomaly_score_${metric}`),
  ];
  return [
    'timestamp',
    ...(groupColumn !== undefined ? [asInputColumn(groupColumn, ['timestamp', ...own])] : []),
    ...own,
  ];
}

function anomaliesHeader(groupColumn: string | undefined, metrics: string[]): string[] {
  const features: string[] = [];
  for (let k = 1; k <= TOP_FEATURES; k++) {
    features.push(`feature_${k}`, `weight_${k}`);
  }
  const own = ['timestamp', 'anomaly_score', ...features];
  return [
    'timestamp',
    ...(groupColumn !== undefined ? [asInputColumn(groupColumn, own)] : []),
    'anomaly_score',
    ...metrics.map((metric) => asInputColumn(metric, own)),
    ...features,
  ];
}

/**
 * An input column's name in an output's header: as it is, or `<name> (input)` where the output has a column of its
 * own by that name (a metric called anomaly_score, a previous run's output read again). Two columns of one name
 * made readers by name (csv.DictReader, pandas) take the wrong one.
 */
function asInputColumn(name: string, own: readonly string[]): string {
  return own.includes(name) ? `${name} (input)` : name;
}

// The per-row loops of a batch's writing are functions of their own, not inside the closure that writes each batch:
// V8 compiles a long loop on stack replacement, and a closure called once per batch re-entered that code at the loop
// and left it after it on every call (Node's --trace-deopt).

/**
 * Counts each row of a batch in its group's counts, by what the scoring did with it. Online, the rows the first model
 * trains on (the first `warmup` of a group) also widen their group's column ranges (`warmUpRanges`, empty unless
 * --raw), and the group's training rows are counted once they are all in (a shorter group trains none).
 */
function countRows(
  batch: RowBatch,
  scores: BatchScores,
  counts: GroupCounts[],
  warmup: number | undefined,
  warmUpRanges: ColumnRange[][]
): void {
  for (let row = 0; row < batch.size; row++) {
    const group = batch.groupIndex[row];
    const groupCounts = counts[group];
    groupCounts.rows_read++;
    switch (scores.status[row]) {
      case SCORED:
        groupCounts.rows_scored++;
        break;
      case MISSING:
        groupCounts.rows_skipped.missing++;
        break;
      case UNTRAINED:
        groupCounts.rows_skipped.untrained++;
        break;
      case TRAINING:
        groupCounts.rows_skipped.training++;
        if (groupCounts.rows_skipped.training === warmup) {
          groupCounts.training_rows = groupCounts.rows_skipped.training;
        }
        if (group < warmUpRanges.length) {
          widenRanges(warmUpRanges[group], batch.values, row);
        }
        break;
      default:
        groupCounts.rows_skipped.warm_up++;
    }
  }
}

function widenRanges(ranges: ColumnRange[], values: RowBatch['values'], row: number): void {
  for (let m = 0; m < ranges.length; m++) {
    ranges[m].add(values[m][row]);
  }
}

/** The anomalies.csv lines of a batch's flagged rows, each counted in its group's anomalies. */
function anomalyLines(
  batch: RowBatch,
  scores: BatchScores,
  counts: GroupCounts[],
  groups: string[],
  grouped: boolean
): string {
  let lines = '';
  for (let row = 0; row < batch.size; row++) {
    if (scores.isAnomaly[row] === 1) {
      counts[batch.groupIndex[row]].anomalies++;
      lines += csvLine(anomalyLine(batch, scores, row, groups, grouped));
    }
  }
  return lines;
}

function anomalyLine(
  batch: RowBatch,
  scores: BatchScores,
  row: number,
  groups: string[],
  grouped: boolean
): Array<string | number> {
  const line: Array<string | number> = [formatTimestamp(batch.timestampMs[row])];
  if (grouped) {
    line.push(groups[batch.groupIndex[row]]);
  }
  line.push(scores.score[row], ...batch.values.map((column) => column[row]));
  const contributions = scores.contributions.get(row);
  for (let k = 0; k < TOP_FEATURES; k++) {
    const contribution = contributions?.[k];
    line.push(contribution?.name ?? '', contribution ? Number(contribution.weight.toFixed(4)) : '');
  }
  return line;
}

function buildSummary(
  request: DetectRequest,
  schema: InputSchema,
  scan: ScanResult,
  obtained: ObtainedDetectors,
  counts: Map<string, GroupCounts>,
  started: number
): Record<string, unknown> {
  const total = (pick: (c: GroupCounts) => number) => [...counts.values()].reduce((sum, c) => sum + pick(c), 0);
  const detectors = [...obtained.bundle.detectors.values()];
  const grouped = schema.groupIndex >= 0;
  const single = counts.get('');
  return {
    input: schema.source,
    model: request.modelPath ?? 'trained in this run',
    rows_read: total((c) => c.rows_read),
    rows_scored: total((c) => c.rows_scored),
    rows_skipped: {
      warm_up: total((c) => c.rows_skipped.warm_up),
      missing: total((c) => c.rows_skipped.missing),
      reasons: {
        warm_up: 'the first rows of each group lack the history for lags and rolling windows',
        missing: 'a metric value is empty, NaN or null',
        training: 'online mode: the first --warmup complete rows of each group train the first model',
        untrained: 'the group had too few complete training rows for a model',
      },
      training: total((c) => c.rows_skipped.training),
      untrained: total((c) => c.rows_skipped.untrained),
    },
    timestamps_not_increasing: scan.timestampRepairs.rows,
    training_rows: total((c) => c.training_rows),
    training_rows_missing: [...obtained.trainingRowsMissing.values()].reduce((sum, n) => sum + n, 0),
    training: request.modelPath
      ? 'loaded model'
      : request.settings.online
        ? onlineTrainingText(request.settings.online)
        : request.settings.trainFile
          ? `--train-file ${request.settings.trainFile}`
          : `first ${request.settings.trainFraction} of each group's rows (at most ${request.settings.maxTrainRows})`,
    columns: schema.metricNames,
    ignored_text_columns: scan.textColumns,
    ignored_empty_columns: scan.emptyColumns,
    features: detectors[0]?.featureNames ?? [],
    mode: summaryMode(
      request.settings.online && !request.modelPath,
      (request.settings.online ? request.settings.detector.mode : detectors[0]?.options.mode) ?? 'multivariate'
    ),
    contamination: request.settings.contamination,
    threshold: grouped ? undefined : single?.threshold,
    anomalies: total((c) => c.anomalies),
    duration_ms: Date.now() - started,
    ...(grouped ? { group_by: schema.header[schema.groupIndex], groups: Object.fromEntries(counts) } : {}),
  };
}

/** Online mode trains while it scores: no detectors up front; the summary counts the warm-up rows as they come. */
function onlineDetectors(scan: ScanResult, settings: DetectionSettings): ObtainedDetectors {
  return {
    bundle: { groupBy: settings.roles.groupBy, detectors: new Map() },
    trainingRows: new Map([...scan.groups.keys()].map((group) => [group, 0])),
    trainingRowsMissing: new Map(),
    warnings: [],
  };
}

function onlineTrainingText(online: OnlineOptions): string {
  const refit = online.refitEvery
    ? `, refitted every ${online.refitEvery} rows on the last ${online.refitHistory}`
    : ', never refitted';
  return `online: first ${online.warmup} complete rows of each group${refit}`;
}

/** Rows kept in file order although their timestamp did not increase: said once, with the count. */
function repairsWarning(scan: ScanResult): string | undefined {
  const { rows, firstLine } = scan.timestampRepairs;
  return rows > 0
    ? `${rows} rows have a timestamp no later than an earlier row's (duplicates, a repeated hour, or rows out of ` +
        `order; first at ${scan.schema.source}:${firstLine}); kept in file order, each timed just after the row ` +
        'before it: sort a file whose rows are out of order by time first. --strict refuses them.'
    : undefined;
}

/** summary.json's mode, in the names every host shares: per-series, multivariate, online, online per-series. */
function summaryMode(online: boolean | undefined, mode: DetectorMode): string {
  const shared = mode === 'per-column' ? 'per-series' : 'multivariate';
  return online ? (shared === 'per-series' ? 'online per-series' : 'online') : shared;
}
