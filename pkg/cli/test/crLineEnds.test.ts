/** Inputs whose lines end with CR alone (old Mac files): read as any other, with the lines where they are. */
import { readFileSync } from 'fs';
import { join } from 'path';
import { runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const work = tempDir();

test('detect reads a CR-only CSV longer than the record limit, as its LF twin', () => {
  // Before (a review): "line 1 is longer than 64 MiB" (here the limit lowered to 20 000 bytes) for a valid file.
  const csv = toCsv(smallTelemetryRows().slice(0, 800));
  const env = { TELEMETRY_ANALYZER_MAX_RECORD_BYTES: '20000' };
  expect(csv.length).toBeGreaterThan(2 * 20000);
  const lf = runCli(['detect', '-q', '-i', writeInput(work, 'lf.csv', csv), '-o', join(work, 'lf')], undefined, {
    env,
  });
  const cr = runCli(
    ['detect', '-q', '-i', writeInput(work, 'cr.csv', csv.replace(/\n/g, '\r')), '-o', join(work, 'cr')],
    undefined,
    { env }
  );
  expect(lf.status).toBe(0);
  expect(cr.stderr).toBe('');
  expect(cr.status).toBe(0);
  expect(readFileSync(join(work, 'cr', 'scores.csv'), 'utf8')).toBe(
    readFileSync(join(work, 'lf', 'scores.csv'), 'utf8')
  );
});

describe('a CR LF inside a quoted CSV field is one line end', () => {
  // Before (a review): the csv-parse path counted it as two, and every later line was said one line too far on.
  test.each([
    ['a row with a field too many', '3,3,x,9', '5:4: malformed CSV: expected 3 fields, as in the header, got 4'],
    ['a stray quote', '3,3,"x"y', '5:3: malformed CSV: Invalid Closing Quote'],
  ])('%s', (name, last, where) => {
    const text = `timestamp,a,n\r\n1,1,"x\r\ny"\r\n2,2,x\r\n${last}\r\n`;
    const input = writeInput(work, `${name}.csv`, text);
    const run = runCli(['detect', '-i', input, '-o', join(work, `${name}-out`)]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`telemetry-analyzer: ${input}:${where}`);
  });
});

describe('a JSON array whose lines end with CR alone', () => {
  // Before (a review): only LF ended a line: a duplicate key in such a file was said at 1:11750.
  const rows = smallTelemetryRows().slice(0, 5);
  const pretty = JSON.stringify(rows, null, 2).replace(
    '"error_count": 0\n  }',
    '"error_count": 0,\n    "error_count": 1\n  }'
  );
  test.each([
    ['CR', '\r'],
    ['CR LF', '\r\n'],
    ['LF', '\n'],
  ])('a duplicate key is placed at its line, with %s line ends', (name, end) => {
    const input = writeInput(work, `dup-${name}.json`, pretty.replace(/\n/g, end));
    const run = runCli(['detect', '-i', input, '-o', join(work, `dup-${name}`)]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(
      `telemetry-analyzer: ${input}:9:5: key "error_count" is given twice in this row (first at 8:5): which value ` +
        'is meant is not known; give each key once\n'
    );
  });
});
