/** `detect` and `stream` read the same input the same way: what one skips the other skips, what one refuses the other refuses. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { filesIn, runCli, smallTelemetryRows, tempDir, toCsv, toNdjson, writeInput } from './cliHarness';

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
