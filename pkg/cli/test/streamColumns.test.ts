/** stream --online decides its metric columns as detect does, and fails (exit 2) when it scores no row. */
import { join } from 'path';
import { jsonLines, readCsv, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const work = tempDir();
const rows = smallTelemetryRows(); // one day at one-minute steps: 1440 rows

/** The timestamps detect --online flags in `text`, and its stderr. */
function detectFlags(name: string, text: string, ...args: string[]) {
  const outputDir = join(work, `${name}-out`);
  const run = runCli([
    'detect',
    '--online',
    '--input',
    writeInput(work, name, text),
    '--output-dir',
    outputDir,
    ...args,
  ]);
  expect(run.status).toBe(0);
  const flagged = readCsv(join(outputDir, 'scores.csv'))
    .filter((row) => row.is_anomaly === '1')
    .map((row) => row.timestamp);
  return { flagged, stderr: run.stderr };
}

function streamFlags(text: string, ...args: string[]) {
  const run = runCli(['stream', '--online', ...args], text);
  const flagged = jsonLines(run.stdout).map((line) => line.timestamp as string);
  return { run, flagged };
}

const toNdjson = (objects: object[]) => objects.map((object) => JSON.stringify(object)).join('\n') + '\n';

describe('stream --online leaves out a column without any value, as detect does', () => {
  // Before (a review): "1440 rows, 0 scored, 1440 with missing values … 0 anomalies", exit 0.
  test.each([
    ['a named CSV column always empty', 'notes.csv', toCsv(rows.map((row) => ({ ...row, notes: '' }))), 'csv'],
    ['a trailing comma on every CSV line', 'trailing.csv', toCsv(rows.map((row) => ({ ...row, '': '' }))), 'csv'],
    [
      'an NDJSON field null in every row',
      'temp.ndjson',
      toNdjson(rows.map((row) => ({ ...row, temp: null }))),
      'ndjson',
    ],
  ])('%s', (_, name, text, format) => {
    const detected = detectFlags(name, text, '-q');
    const { run, flagged } = streamFlags(text, '--format', format);
    expect(run.status).toBe(0);
    expect(detected.flagged.length).toBeGreaterThan(0);
    expect(flagged).toEqual(detected.flagged);
    expect(run.stderr).toMatch(/^1440 rows, 940 scored, 0 with missing values, 0 bad rows skipped, \d+ anomalies$/m);
    const column = name === 'notes.csv' ? 'notes' : name === 'temp.ndjson' ? 'temp' : undefined;
    if (column !== undefined) {
      expect(run.stderr).toContain(
        `telemetry-analyzer: warning: column "${column}" has no value in the first 500 rows (empty, NaN or null), ` +
          'which train the first model: not used as a metric; --columns chooses the metrics'
      );
    }
  });

  test('a column empty in the first row and text later is a text column, as in detect', () => {
    // Before: taken as a metric from its empty first cell, and every later row skipped as "not a number".
    const text = toCsv(rows.map((row, i) => ({ ...row, note: i === 0 ? '' : 'ok' })));
    const detected = detectFlags('late-text.csv', text, '-q');
    const { run, flagged } = streamFlags(text, '--format', 'csv');
    expect(run.status).toBe(0);
    expect(flagged).toEqual(detected.flagged);
    expect(run.stderr).toContain(
      'telemetry-analyzer: warning: column "note" holds text in the first rows ("ok"): not a metric of the stream'
    );
    expect(run.stderr).toMatch(/^1440 rows, 940 scored, 0 with missing values, 0 bad rows skipped/m);
  });

  test('a column with values but no name in the header is refused at the header, as detect refuses it', () => {
    // Before: trained as a metric named "".
    const text = toCsv(rows.slice(0, 100).map((row) => ({ ...row, '': 5 })));
    const detect = runCli(['detect', '--online', '-i', writeInput(work, 'noname.csv', text), '-o', join(work, 'nn')]);
    const { run } = streamFlags(text, '--format', 'csv');
    expect(detect.status).toBe(2);
    expect(detect.stderr).toContain(':1:7: column 7 has values but no name in the header: name it');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      'telemetry-analyzer: <stdin>:1:7: column 7 has values but no name in the header: name it\n'
    );
    expect(run.stdout).toBe('');
  });
});

describe('stream that scores no row', () => {
  test('an input that ends within the --warmup exits 2 in detect --online words, after its summary', () => {
    // Before (a review): a warning and exit 0, where detect --online exits 2.
    const text = toCsv(rows.slice(0, 10));
    const detect = runCli(['detect', '--online', '-i', writeInput(work, 'short.csv', text), '-o', join(work, 'sh')]);
    expect(detect.status).toBe(2);
    const { run } = streamFlags(text, '--format', 'csv');
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      '10 rows, 0 scored, 0 with missing values, 0 bad rows skipped, 0 anomalies\n' +
        'telemetry-analyzer: <stdin>: the input never completed the --warmup 500 rows that train a model: no row ' +
        'was scored (10 rows read; lower --warmup, or give a longer input)\n'
    );
    expect(detect.stderr).toContain(
      'the input never completed the --warmup 500 rows that train a model: no row was scored (10 rows read; lower --warmup, or give a longer input)'
    );
  });

  test('a --columns metric without a value in any row exits 2, naming the cause', () => {
    const text = toCsv(rows.slice(0, 600).map((row) => ({ ...row, notes: '' })));
    const { run } = streamFlags(text, '--format', 'csv', '--columns', 'cpu_usage_percent,notes');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('600 rows, 0 scored, 600 with missing values');
    expect(run.stderr).toContain(
      'telemetry-analyzer: <stdin>: no row was scored: each of the 600 rows read misses a metric\'s value ("notes" has no value in 600 of them: leave it out with --columns cpu_usage_percent)'
    );
  });
});
