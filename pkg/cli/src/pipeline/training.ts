/**
 * Second pass: the training rows. Per group the first `trainRows` rows in time order (rows with a missing value
 * among them are left out, as the engine would drop them anyway; per series only rows without any value), read
 * until every group has its share, so only the training rows are ever held in memory. Then one detector per group.
 */
import type { Readable } from 'stream';
import { AnomalyDetector, EngineInputError, SeriesBuffer, type SeriesTable } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import type { InputFormat } from '../input/inputFormat';
import type { InputSchema } from '../input/inputSchema';
import { readDataRecordBatches } from '../input/recordBatches';
import { isScoredRow, RowReader } from '../input/rowReader';
import { Progress } from '../progress';
import { constantColumnsNotice } from './constantColumnsNotice';
import type { DetectionSettings } from './detectionOptions';
import { asInputError } from './engineErrors';
import { someNames } from './someNames';
import { sparseColumnsAdvice } from './sparseColumnsAdvice';
import { ColumnRange, unseenVariationWarning } from './unseenVariation';
import { groupPrefix } from '../output/groupPrefix';

export interface TrainingSet {
  rows: SeriesBuffer;
  /** Rows of the input taken as training rows, missing ones included. */
  rowsTaken: number;
  /** Of those, left out for a missing value. */
  rowsMissing: number;
  /** Per metric (schema.metricNames' order), the taken rows without a value in it. */
  columnMissing: Uint32Array;
  lastLine: number;
}

/** How many leading rows of a group with `rows` rows train its model: ceil(fraction * rows), at most maxTrainRows. */
export function trainingRowCount(rows: number, fraction: number, maxTrainRows: number): number {
  return Math.min(Math.ceil(fraction * rows), maxTrainRows);
}

export async function collectTrainingRows(
  open: () => Readable,
  format: InputFormat,
  schema: InputSchema,
  wanted: Map<string, number>,
  quiet: boolean,
  /**
   * Per series: a row missing some metrics trains the others' models (missing values NaN, as buildFeatures reads
   * them).
   */
  partialRows = false
): Promise<Map<string, TrainingSet>> {
  const sets = new Map<string, TrainingSet>();
  for (const group of wanted.keys()) {
    sets.set(group, {
      rows: new SeriesBuffer(schema.metricNames),
      rowsTaken: 0,
      rowsMissing: 0,
      columnMissing: new Uint32Array(schema.metricNames.length),
      lastLine: 0,
    });
  }
  let groupsToFill = [...wanted.values()].filter((count) => count > 0).length;
  const rowReader = new RowReader(schema);
  const progress = new Progress('reading training rows', quiet);
  let rowsRead = 0;
  for await (const { records, first } of readDataRecordBatches(open, format, schema.source)) {
    for (let r = first; r < records.size; r++) {
      if (groupsToFill === 0) {
        break;
      }
      const row = rowReader.readRow(records, r);
      rowsRead++;
      const set = sets.get(row.group);
      const want = wanted.get(row.group) ?? 0;
      if (!set || set.rowsTaken >= want) {
        continue;
      }
      set.rowsTaken++;
      set.lastLine = row.line;
      if (row.missing > 0) {
        for (let c = 0; c < row.values.length; c++) {
          set.columnMissing[c] += Number.isNaN(row.values[c]) ? 1 : 0;
        }
      }
      if (!isScoredRow(row.missing, row.values.length, partialRows)) {
        set.rowsMissing++;
      } else {
        set.rows.push(row.orderMs, row.values);
      }
      if (set.rowsTaken === want) {
        groupsToFill--;
      }
    }
    progress.update(rowsRead);
    if (groupsToFill === 0) {
      break; // leaving the loop closes the input
    }
  }
  progress.done();
  return sets;
}

/**
 * One detector per group; constant columns and too few rows are reported against the input. What is worth a warning
 * (constant columns kept, variation a raw model cannot see, groups left untrained) is added to `warnings`.
 *
 * A group with too few complete rows to train on gets no detector when other groups get one, unless --strict: its
 * rows are marked untrained (a host that came up late should not cost every other host its results). When no group
 * can be trained, the first one's reason is the error.
 */
export function trainDetectors(
  sets: Map<string, TrainingSet>,
  schema: InputSchema,
  settings: DetectionSettings,
  warnings: string[]
): Map<string, AnomalyDetector> {
  const detectors = new Map<string, AnomalyDetector>();
  /** Groups too short to train on, or constant in every column, and the error each would have been. */
  const untrained: Array<{ group: string; error: unknown; constant: boolean }> = [];
  for (const [group, set] of sets) {
    const inGroup = groupPrefix(group);
    const table = set.rows.table();
    // The engine's reason as an error on the input: a constant column at its header cell, else the group's last
    // training line.
    const asInput = (error: unknown) =>
      asInputError(
        error,
        (e) =>
          e.code === 'constant-column' && e.column !== undefined
            ? headerLocation(schema, e.column)
            : { source: schema.source, line: set.lastLine || schema.headerLine, column: 1 },
        `${inGroup}cannot train on the ${set.rows.length} complete training rows (of ${set.rowsTaken} taken; ` +
          `${sparseColumnsAdvice(schema.metricNames, set.columnMissing, set.rowsTaken) ?? 'raise --train-fraction or give --train-file'}): `
      );
    let trained: AnomalyDetector | undefined;
    let failure: unknown;
    try {
      trained = AnomalyDetector.train(table, settings.detector);
    } catch (error) {
      failure = error;
    }
    const mayLeaveOut = sets.size > 1 && !settings.strict;
    if (failure instanceof EngineInputError && failure.code === 'too-few-rows' && mayLeaveOut) {
      untrained.push({ group, error: asInput(failure), constant: false });
      continue;
    }
    const constant = constantColumnsNotice(table);
    if (constant?.every) {
      const error = new InputError(headerLocation(schema, constant.column), `${inGroup}${constant.text}`);
      if (!mayLeaveOut) {
        throw error;
      }
      // One flat host (a stopped service) must not cost every other host its results, as a short one does not.
      untrained.push({ group, error, constant: true });
      continue;
    }
    if (constant) {
      warnings.push(`${inGroup}${constant.text}`);
    }
    const unseen =
      settings.detector.features.raw === true
        ? unseenVariationWarning(
            table.columns.map(({ name }) => name),
            table.columns.map(({ values }) => ColumnRange.of(values)),
            inGroup
          )
        : undefined;
    if (unseen !== undefined) {
      warnings.push(unseen);
    }
    if (failure !== undefined) {
      throw asInput(failure);
    }
    detectors.set(group, trained!);
  }
  if (untrained.length > 0) {
    if (detectors.size === 0) {
      throw untrained[0].error;
    }
    for (const constant of [false, true]) {
      const groups = untrained.filter((entry) => entry.constant === constant).map(({ group }) => group);
      if (groups.length > 0) {
        warnings.push(
          `${groups.length} group${groups.length > 1 ? 's' : ''} (${someNames(groups)}) ` +
            (constant
              ? 'did not vary in any column over their training rows'
              : 'had too few complete training rows for a model') +
            ': their rows are not scored (status untrained) and model.json has no model for them; --strict refuses them'
        );
      }
    }
  }
  return detectors;
}

function headerLocation(schema: InputSchema, column: string) {
  const index = schema.header.indexOf(column);
  return { source: schema.source, line: schema.headerLine, column: index + 1 };
}
