/**
 * `stream`: score rows from stdin as they arrive with a saved model. Each group keeps its rolling state in the
 * engine's OnlineScorer (the same scores as batch scoring); every anomaly is written to stdout as one JSON line the
 * moment its row is read (stdout to a pipe or file is written synchronously by Node, so nothing waits for EOF).
 */
import type { Readable } from 'stream';
import type { OnlineScorer } from '@telemetry-analyzer/engine';
import { InputError } from '../errors';
import { resolveInputFormat } from '../input/inputFormat';
import { type RawRecord, readRawRecords } from '../input/rawRecords';
import { RowReader } from '../input/rowReader';
import { schemaFromHeader } from '../input/scanInput';
import { formatTimestamp } from '../input/timestamp';
import { loadModel } from './modelFile';
import { rolesForModel } from './obtainDetectors';
import { withEngineErrors } from './engineErrors';
import { parseContamination } from './detectionOptions';

export interface StreamRequest {
  modelPath: string;
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
  anomalies: number;
}

/** Bad rows named one by one on stderr; the later ones are only counted. */
export const BAD_ROW_WARNINGS_SHOWN = 10;

export async function runStream(request: StreamRequest): Promise<StreamOutcome> {
  const format = resolveInputFormat('-', request.format ?? 'ndjson');
  const bundle = loadModel(request.modelPath);
  if (request.contamination !== undefined) {
    const contamination = parseContamination(request.contamination);
    bundle.detectors.forEach((detector) => detector.setContamination(contamination));
  }
  const roles = rolesForModel(bundle, { timestampColumn: request.timestampColumn });
  const source = '<stdin>';
  const outcome: StreamOutcome = { rows: 0, scored: 0, missing: 0, skipped: 0, anomalies: 0 };
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
  const records = readRawRecords(request.input, format, source, true, onBadRow);
  const header = await records.next();
  if (header.done) {
    return outcome;
  }
  const schema = schemaFromHeader(header.value, source, roles);
  const rowReader = new RowReader(schema);
  const scorers = new Map<string, OnlineScorer>();
  const groupColumn = roles.groupBy;

  for await (const record of records) {
    try {
      scoreRecord(record);
    } catch (error) {
      if (!(error instanceof InputError) || !onBadRow) {
        throw error;
      }
      onBadRow(error);
    }
  }
  return outcome;

  function scoreRecord(record: RawRecord): void {
    const row = rowReader.read(record);
    outcome.rows++;
    if (row.missing) {
      outcome.missing++;
      return;
    }
    let scorer = scorers.get(row.group);
    if (!scorer) {
      const detector = bundle.detectors.get(row.group);
      if (!detector) {
        throw new InputError(
          { source, line: row.line, column: schema.groupIndex + 1 },
          `the model has no detector for group "${row.group}"`
        );
      }
      scorer = detector.createOnlineScorer();
      scorers.set(row.group, scorer);
    }
    const activeScorer = scorer;
    const result = withEngineErrors(
      () => ({ source, line: row.line, column: 1 }),
      '',
      () => activeScorer.push(row.orderMs, row.values)
    );
    if (!result) {
      return;
    }
    outcome.scored++;
    if (!result.isAnomaly) {
      return;
    }
    outcome.anomalies++;
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
}
