/**
 * `stream`: score rows from stdin as they arrive, with a saved model or (--online) in online mode. With a model, each
 * group keeps its rolling state in the engine's OnlineScorer (the same scores as batch scoring); online, each group
 * has an OnlineDetector that trains on its first warm-up rows and then scores every row from the rows before it with
 * calibrated scores, exactly as `detect --online` does. Every anomaly is written to stdout as one JSON line the
 * moment its row is read (stdout to a pipe or file is written synchronously by Node, so nothing waits for EOF).
 */
import type { Readable } from 'stream';
import {
  overFlaggingWarning,
  type DetectorOptions,
  type FeatureContribution,
  type OnlineOptions,
} from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { resolveInputFormat } from '../input/inputFormat';
import { type RawRecord, readRawRecords } from '../input/rawRecords';
import { DEFAULT_MAX_GROUPS, type ColumnRoles, type InputSchema } from '../input/inputSchema';
import { isScoredRow, partialRowsScored, RowReader, type ParsedRow } from '../input/rowReader';
import {
  columnEvidence,
  emptyInputError,
  headerOnlyError,
  metricColumnKind,
  namelessColumnError,
  schemaFromHeader,
} from '../input/scanInput';
import { emptyColumnWarning } from '../input/columnWarnings';
import { formatTimestamp } from '../input/timestamp';
import { parseMetricCell } from '../input/cells';
import { loadModel } from './modelFile';
import { allGroupsWarning } from './allGroupsFlagging';
import { rolesForModel } from './obtainDetectors';
import { withEngineErrors } from './engineErrors';
import { parseContamination } from './detectionOptions';
import { historyRows } from './groupScoring';
import { OnlineChunkScorer } from './onlineChunkScorer';
import { singleRowBatch } from '../input/rowBatch';
import { emptyScores, SCORED } from './batchScores';
import { groupPrefix } from '../output/groupPrefix';
import { someNames } from './someNames';
import { sparseColumnsAdvice } from './sparseColumnsAdvice';

export interface StreamRequest {
  /** A saved model; or `online` instead. */
  modelPath?: string;
  /** Online mode: options of the engine's OnlineDetector and the detector it trains. */
  online?: {
    detector: DetectorOptions;
    options: OnlineOptions;
    columns?: string[];
    groupBy?: string;
    /** Most groups scored at once [DEFAULT_MAX_GROUPS]; beyond it the least recently seen is dropped. */
    maxGroups?: number;
  };
  format?: string;
  timestampColumn: string;
  contamination?: string;
  input: Readable;
  writeLine(line: string): void;
  /**
   * Stop at the first bad row (exit 2) instead of skipping it. Without it, a bad row (malformed line, bad value,
   * unknown group, a timestamp the scorer refuses) is skipped and counted, and `warn` hears of it: one bad line must
   * not end a `tail -f` pipeline.
   */
  strict?: boolean;
  /** A warning line for stderr (without the program name). */
  warn?(line: string): void;
}

export interface StreamOutcome {
  rows: number;
  scored: number;
  missing: number;
  /** Rows skipped as bad (never with strict). */
  skipped: number;
  /** Rows whose timestamp did not come after the previous row's, kept in file order (never with strict). */
  timestampsNotIncreasing: number;
  anomalies: number;
  /** No row was scored: the run failed (exit 2), for this reason, after its summary. */
  failure?: InputError;
}

/** Bad rows named one by one on stderr; the later ones are only counted. */
export const BAD_ROW_WARNINGS_SHOWN = 10;

export async function runStream(request: StreamRequest): Promise<StreamOutcome> {
  const format = resolveInputFormat('-', request.format ?? 'ndjson');
  if (format === 'json') {
    // A JSON array is one record of the stream: every row's line was 1 (a review, 2026-12-07).
    throw new InputError(
      { source: '--format' },
      "stream reads rows as they arrive: ndjson or csv, not json (detect --format json reads an array; jq -c '.[]' turns one into NDJSON)"
    );
  }
  const { online } = request;
  const bundle = online ? undefined : loadModel(request.modelPath!);
  if (bundle && request.contamination !== undefined) {
    const contamination = parseContamination(request.contamination);
    bundle.detectors.forEach((detector) => detector.setContamination(contamination));
  }
  const partialRows = partialRowsScored(
    bundle && [...bundle.detectors.values()][0]?.options.mode,
    online !== undefined
  );
  const roles = bundle
    ? rolesForModel(bundle, { timestampColumn: request.timestampColumn })
    : { timestampColumn: request.timestampColumn, columns: online!.columns, groupBy: online!.groupBy };
  const source = '<stdin>';
  const outcome: StreamOutcome = {
    rows: 0,
    scored: 0,
    missing: 0,
    skipped: 0,
    anomalies: 0,
    timestampsNotIncreasing: 0,
  };
  const skip = (error: InputError) => {
    outcome.skipped++;
    if (outcome.skipped <= BAD_ROW_WARNINGS_SHOWN) {
      request.warn?.(`warning: ${error.message} (row skipped)`);
    }
    if (outcome.skipped === BAD_ROW_WARNINGS_SHOWN) {
      request.warn?.('warning: further bad rows are skipped without a message; the summary counts them');
    }
  };
  const onBadRow = request.strict ? undefined : skip;
  // The columns are known (a model's, or --columns): JSON keys a record leaves out are missing values, whatever the
  // first record held (a review: Telegraf leaves out null fields, and the first record's keys became the columns).
  const knownKeys = roles.columns
    ? [roles.timestampColumn, ...(roles.groupBy === undefined ? [] : [roles.groupBy]), ...roles.columns]
    : undefined;
  const records = readRawRecords(request.input, format, source, true, onBadRow, {
    keys: knownKeys,
    onNewKey: (key, line) =>
      request.warn?.(
        `warning: ${source}:${line}: key ${JSON.stringify(key)} is not in the first record, whose keys are the ` +
          'columns of a stream: its values are left out (give every key in the first record, null where a value is missing)'
      ),
  });
  const header = await records.next();
  if (header.done) {
    throw emptyInputError(source);
  }
  // Online without --columns, the rows read before any can be scored (at most --warmup) tell the metric columns
  // (detect's check pass reads them all): a column with a number is a metric, one with text only is not, nor one
  // without any value (a review: an always-empty column made every row "missing", and nothing was scored).
  const leading: RawRecord[] = [];
  let leadingAll = false;
  if (roles.columns === undefined && online) {
    const pending = new Set(candidateColumnIndexes(header.value, source, roles));
    while (pending.size > 0 && leading.length < online.options.warmup) {
      const next = await records.next();
      if (next.done) {
        leadingAll = true;
        break;
      }
      leading.push(next.value);
      for (const index of pending) {
        if (parseMetricCell(next.value.cells[index]).kind !== 'missing') {
          pending.delete(index);
        }
      }
    }
  }
  const schema = streamSchema(
    header.value,
    source,
    roles,
    online ? { rows: leading, all: leadingAll } : undefined,
    (text) => request.warn?.(`warning: ${text}`)
  );
  const rowReader = new RowReader(schema, request.strict);
  /** Per metric, the rows read without a value of it. */
  const missingPerMetric = new Float64Array(schema.metricNames.length);
  const scorers = new Map<string, (row: ParsedRow) => RowResult | null>();
  /** Rows scored and flagged per group, for the over-flagging warning at the end. */
  const flagShares = new Map<string, { scored: number; flagged: number }>();
  const groupColumn = roles.groupBy;
  const maxGroups = online?.maxGroups ?? DEFAULT_MAX_GROUPS;
  let droppedGroups = 0;
  /** The group of the row before: already the most recently seen. */
  let lastGroup: string | undefined;

  for (const record of leading.splice(0)) {
    readRecord(record);
  }
  for await (const record of records) {
    readRecord(record);
  }
  if (outcome.rows + outcome.skipped === 0) {
    // As detect refuses it. An NDJSON stream's header is its columns, not a line: without any row, it is empty.
    throw format === 'csv' ? headerOnlyError(source, header.value.line) : emptyInputError(source);
  }
  if (outcome.scored === 0 && outcome.rows > 0) {
    // A stream that scored no row failed, as detect fails (a review: a column empty in every row, or too few rows,
    // ended "0 scored" with exit 0, and a cron job saw success).
    outcome.failure = new InputError({ source }, unscoredReason());
    return outcome;
  }
  if (online) {
    // As detect says it: a group whose rows all went to its first model's training was never scored.
    for (const group of scorers.keys()) {
      if (!flagShares.has(group)) {
        const which = group === '' ? 'the input' : `group "${group}"`;
        request.warn?.(
          droppedGroups === 0
            ? `warning: ${which} ended within the --warmup ${online.options.warmup} complete rows that train its ` +
                'first model: none of its rows was scored'
            : // Its counts went with a dropped detector: it may have been scored before, by the detector dropped.
              `warning: ${which} ended within the --warmup ${online.options.warmup} complete rows that train its ` +
                `detector (its first, or one started again after more than ${maxGroups} groups had it dropped): its ` +
                'last rows were not scored'
        );
      }
    }
  }
  const contaminations = new Set<number | 'auto'>();
  let anyGroupWarned = false;
  for (const [group, { scored, flagged }] of flagShares) {
    const contamination = bundle
      ? bundle.detectors.get(group)!.options.forest.contamination
      : (online!.detector.forest?.contamination ?? 'auto');
    contaminations.add(contamination);
    const warning = overFlaggingWarning(flagged, scored, contamination, online !== undefined);
    if (warning !== undefined) {
      anyGroupWarned = true;
      request.warn?.(`warning: ${groupPrefix(group)}${warning}`);
    }
  }
  if (contaminations.size === 1) {
    const [contamination] = contaminations;
    const overall = allGroupsWarning([...flagShares.values()], contamination, online !== undefined, anyGroupWarned);
    if (overall !== undefined) {
      request.warn?.(`warning: ${overall}`);
    }
  }
  return outcome;

  /** Why no row was scored, in detect's words where it has them. */
  function unscoredReason(): string {
    const advice = sparseColumnsAdvice(schema.metricNames, missingPerMetric, outcome.rows);
    if (outcome.rows === outcome.missing) {
      return (
        `no row was scored: each of the ${outcome.rows} rows read misses a metric's value` +
        (advice === undefined ? '; --columns chooses the metrics' : ` (${advice})`)
      );
    }
    if (online) {
      const untrained = [...scorers.keys()];
      const which = groupColumn === undefined ? 'the input' : `group ${someNames(untrained, 3)}`;
      return (
        `${which} never completed the --warmup ${online.options.warmup} rows that train a model: no row was ` +
        `scored (${outcome.rows} rows read; ${advice ?? 'lower --warmup, or give a longer input'})`
      );
    }
    const history = historyRows([...bundle!.detectors.values()][0]?.options.features);
    return (
      `no row was scored (${outcome.rows} rows read, ${outcome.missing} with missing values): the model scores the ` +
      `rows of a group after its first ${history} (window + lags), which warm its state up`
    );
  }

  /** Drops the detector (and the flag counts) of the group seen least recently. */
  function dropLeastRecentGroup(): void {
    const [group] = scorers.keys();
    scorers.delete(group);
    flagShares.delete(group);
    if (droppedGroups++ === 0) {
      request.warn?.(
        `warning: more than ${maxGroups} groups at once: the detector of the group seen least recently ` +
          `(${JSON.stringify(group)}) is dropped, and so on; a dropped group warms up again if it comes back ` +
          '(--max-groups raises the limit, at ~0.2 MB a group)'
      );
    }
  }

  function readRecord(record: RawRecord): void {
    try {
      scoreRecord(record);
    } catch (error) {
      if (!(error instanceof InputError) || !onBadRow) {
        throw error;
      }
      onBadRow(error);
    }
  }

  function scoreRecord(record: RawRecord): void {
    const row = rowReader.read(record);
    outcome.rows++;
    row.values.forEach((value, m) => {
      if (Number.isNaN(value)) {
        missingPerMetric[m]++;
      }
    });
    if (rowReader.repairs.rows > outcome.timestampsNotIncreasing) {
      outcome.timestampsNotIncreasing = rowReader.repairs.rows;
      if (outcome.timestampsNotIncreasing === 1) {
        request.warn?.(
          `warning: ${source}:${row.line}: the timestamp is no later than an earlier row's; such rows are kept in ` +
            'file order, each timed just after the row before it, and counted in the summary (--strict stops at them)'
        );
      }
    }
    // A per-series model scores a row missing some metrics for the others, as detect does (its own per-metric
    // streams skip the missing value); other models need every metric.
    if (!isScoredRow(row.missing, row.values.length, partialRows)) {
      outcome.missing++;
      return;
    }
    let scorer = scorers.get(row.group);
    if (scorer && online && row.group !== lastGroup) {
      // Most recently seen last: the first entry is the one dropped when there are too many (a run of one group's
      // rows, the usual case, keeps it last without moving it).
      scorers.delete(row.group);
      scorers.set(row.group, scorer);
    }
    lastGroup = row.group;
    if (!scorer) {
      const inGroup = groupPrefix(row.group);
      scorer = online
        ? onlineRowScorer(schema.metricNames, online, (text) => request.warn?.(`warning: ${inGroup}${text}`))
        : modelRowScorer(row);
      scorers.set(row.group, scorer);
      if (online && scorers.size > maxGroups) {
        dropLeastRecentGroup();
      }
    }
    const activeScorer = scorer;
    const result = withEngineErrors(
      () => ({ source, line: row.line, column: 1 }),
      '',
      () => activeScorer(row)
    );
    if (!result) {
      return;
    }
    outcome.scored++;
    let share = flagShares.get(row.group);
    if (share === undefined) {
      share = { scored: 0, flagged: 0 };
      flagShares.set(row.group, share);
    }
    share.scored++;
    if (!result.isAnomaly) {
      return;
    }
    outcome.anomalies++;
    share.flagged++;
    const values = Object.fromEntries(schema.metricNames.map((name, m) => [name, row.values[m]]));
    request.writeLine(
      JSON.stringify({
        timestamp: formatTimestamp(row.timestampMs),
        ...(groupColumn !== undefined ? { [groupColumn]: row.group } : {}),
        line: row.line,
        anomaly_score: result.score,
        threshold: result.threshold,
        ...(result.column !== undefined ? { column: result.column } : {}),
        values,
        top_features: result.contributions
          .slice(0, 3)
          .map((c) => ({ name: c.name, weight: Number(c.weight.toFixed(4)) })),
      }) + '\n'
    );
  }

  /** The saved model's scorer for the row's group. */
  function modelRowScorer(first: ParsedRow): (row: ParsedRow) => RowResult | null {
    const detector = bundle!.detectors.get(first.group);
    if (!detector) {
      throw new InputError(
        { source, line: first.line, column: schema.groupIndex + 1 },
        `the model has no detector for group "${first.group}"`
      );
    }
    const scorer = detector.createOnlineScorer();
    // Per-column: the engine's row result is detect's (perSeriesRow), the highest score explained by the column
    // that flags the row with the highest score.
    return (row) => scorer.push(row.orderMs, row.values);
  }
}

/** What a scored row tells the output. */
interface RowResult {
  score: number;
  isAnomaly: boolean;
  threshold: number;
  column?: string;
  contributions: FeatureContribution[];
}

/**
 * Online mode for one group: `detect --online`'s scorer, one row at a time.
 * @param warn hears what the first model's training rows call for (constant columns), once
 */
function onlineRowScorer(
  columns: string[],
  online: NonNullable<StreamRequest['online']>,
  warn: (text: string) => void
): (row: ParsedRow) => RowResult | null {
  const scorer = new OnlineChunkScorer(columns, online.detector, online.options, historyRows(online.detector.features));
  const oneRow = Int32Array.of(0);
  let trained = false;
  return (parsed) => {
    const scores = emptyScores(1, online.detector.mode === 'per-column' ? columns.length : 0);
    scorer.score(singleRowBatch(parsed, 0), oneRow, scores);
    if (!trained && scorer.forest.detector !== undefined) {
      trained = true;
      if (scorer.constantColumns !== undefined) {
        warn(scorer.constantColumns.text);
      }
    }
    if (scores.status[0] !== SCORED) {
      return null;
    }
    const explainedBy = scores.explainedBy?.get(0);
    return {
      score: scores.score[0],
      isAnomaly: scores.isAnomaly[0] === 1,
      threshold: scorer.threshold(),
      ...(explainedBy === undefined || explainedBy < 0 ? {} : { column: columns[explainedBy] }),
      contributions: scores.contributions.get(0) ?? [],
    };
  };
}

/** The header's columns that may be metrics: all but the timestamp and the group column. */
function candidateColumnIndexes(header: RawRecord, source: string, roles: ColumnRoles): number[] {
  const schema = schemaFromHeader(header, source, roles);
  return schema.header.flatMap((_, i) => (i !== schema.timestampIndex && i !== schema.groupIndex ? [i] : []));
}

/**
 * Without a model the metric columns are --columns, or, as detect decides them (metricColumnKind), every column but
 * the timestamp and the group that holds a number in the leading rows: detect leaves text columns out, and a stream
 * that took them skipped every row of an InfluxDB export (`name,time,...`) as "not a number" (a review); it leaves
 * out a column without any value, and a stream that took one (a trailing comma on every line, a field always null)
 * scored no row at all (a review).
 * @param leading the rows read before the first can be scored; `all`: the whole input
 */
function streamSchema(
  header: RawRecord,
  source: string,
  roles: ColumnRoles,
  leading: { rows: RawRecord[]; all: boolean } | undefined,
  warn: (text: string) => void
): InputSchema {
  const schema = schemaFromHeader(header, source, roles);
  if (schema.metricNames.length > 0 || roles.columns !== undefined || leading === undefined) {
    return schema;
  }
  const candidates = candidateColumnIndexes(header, source, roles);
  if (leading.rows.length === 0) {
    return schema; // no row: refused as detect refuses it, once the input is read
  }
  const evidence = candidates.map((index) => columnEvidence(leading.rows.map((row) => row.cells[index])));
  const kinds = evidence.map(metricColumnKind);
  const metrics = candidates.filter((_, c) => kinds[c] === 'metric');
  const nameless = metrics.find((index) => schema.header[index] === '');
  if (nameless !== undefined) {
    throw namelessColumnError(source, header.line, nameless);
  }
  candidates.forEach((index, c) => {
    const name = schema.header[index];
    const kind = kinds[c];
    const text = evidence[c].firstTextCell;
    if (kind === 'text') {
      const shown = JSON.stringify(text) ?? '';
      warn(
        `column "${name}" holds text in the first rows (${shown.length > 60 ? `${shown.slice(0, 57)}...` : shown}): ` +
          'not a metric of the stream; --columns chooses the metrics'
      );
    } else if (kind === 'empty' && name !== '') {
      warn(
        leading.all
          ? emptyColumnWarning(name)
          : `column "${name}" has no value in the first ${leading.rows.length} rows (empty, NaN or null), which ` +
              'train the first model: not used as a metric; --columns chooses the metrics'
      );
    }
  });
  if (metrics.length === 0) {
    throw new InputError(
      { source, line: header.line, column: 1 },
      candidates.length === 0 ? 'the header names no metric column' : 'no numeric metric column found'
    );
  }
  return schemaFromHeader(header, source, { ...roles, columns: metrics.map((index) => schema.header[index]) });
}
