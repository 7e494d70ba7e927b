/** `detect` and `stream` read the same input the same way: what one skips the other skips, what one refuses the other refuses. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { filesIn, readCsv, runCli, smallTelemetryRows, tempDir, toCsv, toNdjson, writeInput } from './cliHarness';

const work = tempDir('cli-parity-');
const rows = smallTelemetryRows().slice(0, 300);
const model = join(work, 'model.json');

beforeAll(() => {
  const trained = runCli(['train', '-q', '--input', writeInput(work, 'train.csv', toCsv(rows)), '--model', model]);
  expect(trained.status).toBe(0);
});

/** detect --model on `text`: exit code, stderr and scores.csv (undefined if not written). */
function detectWithModel(name: string, text: string) {
  const input = writeInput(work, name, text);
  const outputDir = join(work, `${name}-out`);
  const run = runCli(['detect', '-q', '--model', model, '--input', input, '--output-dir', outputDir]);
  let scores: string | undefined;
  try {
    scores = readFileSync(join(outputDir, 'scores.csv'), 'utf8');
  } catch {
    scores = undefined;
  }
  return { status: run.status, stderr: run.stderr, scores };
}

/** stream --model on `text`: exit code, stderr, and the anomalies it printed without their line numbers. */
function streamWithModel(format: 'csv' | 'ndjson', text: string) {
  const run = runCli(['stream', '--model', model, '--format', format], text);
  const anomalies = run.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const { line: _line, ...rest } = JSON.parse(line) as Record<string, unknown>;
      return rest;
    });
  return { status: run.status, stderr: run.stderr, anomalies };
}

describe('a blank line (empty, or spaces and tabs only) is skipped by detect and stream alike', () => {
  // Before (a review): detect refused "   " or "\t" between two CSV rows ("Invalid Record Length: expect 6, got 1"),
  // stream skipped it.
  const blanks = ['', '   ', '\t', ' \t '];
  /** The lines with the blank lines put in: before the header, between rows, and at the end. */
  const withBlanks = (lines: string[]) =>
    [
      blanks[1],
      ...lines.slice(0, 50),
      ...blanks,
      ...lines.slice(50, 120),
      blanks[2],
      ...lines.slice(120),
      blanks[3],
    ].join('\n') + '\n';
  const csvLines = toCsv(rows).trimEnd().split('\n');
  // A quoted field: the CSV is read by csv-parse, not the plain-line reader.
  const quotedLines = csvLines.map((line) => line.replace(/^([^,]*)/, '"$1"'));
  const ndjsonLines = toNdjson(rows).trimEnd().split('\n');

  test.each([
    ['plain CSV', 'csv', csvLines],
    ['quoted CSV', 'csv', quotedLines],
    ['NDJSON', 'ndjson', ndjsonLines],
  ] as const)('%s', (name, format, lines) => {
    const extension = format === 'csv' ? 'csv' : 'ndjson';
    const clean = lines.join('\n') + '\n';
    const blank = withBlanks(lines);
    const detectClean = detectWithModel(`${name}-clean.${extension}`.replace(/ /g, '-'), clean);
    const detectBlank = detectWithModel(`${name}-blank.${extension}`.replace(/ /g, '-'), blank);
    expect([detectBlank.status, detectBlank.stderr]).toEqual([0, '']);
    expect(detectBlank.scores).toBeDefined();
    expect(detectBlank.scores).toBe(detectClean.scores);

    const streamClean = streamWithModel(format, clean);
    const streamBlank = streamWithModel(format, blank);
    expect(streamBlank.status).toBe(0);
    expect(streamBlank.stderr).toMatch(
      /^300 rows, \d+ scored, 0 with missing values, 0 bad rows skipped, \d+ anomalies\n$/
    );
    expect(streamBlank).toEqual(streamClean);
  });
});

describe('an input without rows is refused by stream as by detect: exit 2, the same message', () => {
  // Before (a review): stream exited 0 with "0 rows, 0 scored, …".
  const header = toCsv(rows).split('\n')[0];
  test.each([
    ['empty CSV', 'csv', '', '<stdin>:1:1: the file is empty'],
    ['CSV of blank lines', 'csv', '\n   \n\t\n', '<stdin>:1:1: the file is empty'],
    ['CSV header only', 'csv', `${header}\n`, '<stdin>:1:1: the file has a header but no data rows'],
    [
      'CSV header after blank lines',
      'csv',
      `\n \n${header}\n\n`,
      '<stdin>:3:1: the file has a header but no data rows',
    ],
    ['empty NDJSON', 'ndjson', '', '<stdin>:1:1: the file is empty'],
    ['NDJSON of blank lines', 'ndjson', '\n  \n', '<stdin>:1:1: the file is empty'],
  ] as const)('%s', (name, format, text, message) => {
    const outputDir = join(work, `${name.replace(/ /g, '-')}-out`);
    const expected = { status: 2, stdout: '', stderr: `telemetry-analyzer: ${message}\n` };
    const detect = runCli(['detect', '--model', model, '--input', '-', '--format', format, '-o', outputDir], text);
    expect(detect).toEqual(expected);
    expect(filesIn(outputDir)).toEqual([]);
    expect(runCli(['stream', '--model', model, '--format', format], text)).toEqual(expected);
    expect(runCli(['stream', '--online', '--format', format], text)).toEqual(expected);
    expect(runCli(['detect', '--online', '--input', '-', '--format', format, '-o', outputDir], text)).toEqual(expected);
  });
});

describe('per-series stream --model reports a row as detect does', () => {
  // Before (a review): stream reported the column furthest above its threshold, with that column's score, while
  // scores.csv gave the row its highest column score (anomalies.csv explained by the flagging column that scores
  // highest): on a row flagged by two columns, the two disagreed.
  test('the same rows, scores, explaining column, its threshold and top features', () => {
    const perSeries = join(work, 'per-series.json');
    const scored = smallTelemetryRows();
    const trainFile = writeInput(work, 'per-series-train.csv', toCsv(scored));
    expect(runCli(['train', '-q', '--mode', 'per-series', '--input', trainFile, '--model', perSeries]).status).toBe(0);
    // Rows off in two or three metrics at once, by different amounts.
    const spiked = scored.map((row, i) =>
      i % 97 === 50
        ? {
            ...row,
            cpu_usage_percent: Number(row.cpu_usage_percent) * (1.5 + (i % 5) / 2),
            network_latency_ms: Number(row.network_latency_ms) * (2 + (i % 3)),
            error_count: i % 2 === 0 ? 9 : row.error_count,
          }
        : row
    );
    const input = writeInput(work, 'per-series-scored.csv', toCsv(spiked));
    const outputDir = join(work, 'per-series-out');
    const contamination = ['--contamination', '0.1'];
    const detected = runCli([
      'detect',
      '-q',
      '--model',
      perSeries,
      ...contamination,
      '--input',
      input,
      '-o',
      outputDir,
    ]);
    expect([detected.status, detected.stderr]).toEqual([0, '']);
    const streamed = runCli(['stream', '-q', '--model', perSeries, ...contamination, '--format', 'csv'], toCsv(spiked));
    expect(streamed.status).toBe(0); // (a warning of flagging more than the contamination may come)

    const thresholds = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8')).threshold as Record<
      string,
      number
    >;
    const columns = Object.keys(thresholds);
    const scores = new Map(readCsv(join(outputDir, 'scores.csv')).map((row) => [row.timestamp, row]));
    const anomalies = readCsv(join(outputDir, 'anomalies.csv'));
    const lines = streamed.stdout
      .split('\n')
      .filter(Boolean)
      .map(
        (line) =>
          JSON.parse(line) as {
            timestamp: string;
            anomaly_score: number;
            threshold: number;
            column: string;
            top_features: Array<{ name: string }>;
          }
      );
    expect(lines.map((line) => line.timestamp)).toEqual(anomalies.map((row) => row.timestamp));
    let rowsWhereTheRulesDiffer = 0;
    lines.forEach((line, i) => {
      const row = scores.get(line.timestamp)!;
      const columnScore = (column: string) => Number(row[`anomaly_score_${column}`] || NaN);
      const flagging = columns.filter((column) => columnScore(column) > thresholds[column]);
      const byScore = flagging.reduce((best, column) => (columnScore(column) > columnScore(best) ? column : best));
      const byMargin = flagging.reduce((best, column) =>
        columnScore(column) - thresholds[column] > columnScore(best) - thresholds[best] ? column : best
      );
      rowsWhereTheRulesDiffer += byScore === byMargin ? 0 : 1;
      expect({ ...line, top_features: line.top_features.map((feature) => feature.name) }).toMatchObject({
        anomaly_score: Number(row.anomaly_score),
        column: byScore,
        threshold: thresholds[byScore],
        top_features: [anomalies[i].feature_1, anomalies[i].feature_2, anomalies[i].feature_3],
      });
    });
    // The rows this test is about: flagged by two columns, the one scoring highest not the furthest above its threshold.
    expect(rowsWhereTheRulesDiffer).toBeGreaterThan(0);
  });
});
