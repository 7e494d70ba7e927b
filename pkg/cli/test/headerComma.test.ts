/** A CSV header that ends with a comma the rows do not have is named, at the header, by detect and stream alike. */
import { join } from 'path';
import { runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const work = tempDir();
const [headerLine, ...rowLines] = toCsv(smallTelemetryRows().slice(0, 50)).trimEnd().split('\n');
const message =
  '1:7: malformed CSV: the header ends with a comma (an empty last field) that the rows do not have (line 2 has 6 ' +
  'fields): remove it from the header\n';

test.each([
  ['plain rows', rowLines],
  ['quoted cells (the csv-parse path)', rowLines.map((line) => line.replace(/,(\d+)$/, ',"$1"'))],
])('detect and stream: %s', (_, rows) => {
  // Before (a review): every row refused with "expected 7 fields, as in the header, got 6: likely a value left out".
  const text = [`${headerLine},`, ...rows].join('\n') + '\n';
  const output = join(work, `out-${rows === rowLines ? 'plain' : 'quoted'}`);
  const input = writeInput(work, `${rows === rowLines ? 'plain' : 'quoted'}.csv`, text);
  const detect = runCli(['detect', '-i', input, '-o', output]);
  expect(detect.status).toBe(2);
  expect(detect.stderr).toBe(`telemetry-analyzer: ${input}:${message}`);
  const stream = runCli(['stream', '--online', '--format', 'csv', '--warmup', '20'], text);
  expect(stream.status).toBe(2);
  expect(stream.stderr).toBe(`telemetry-analyzer: <stdin>:${message}`);
  expect(stream.stdout).toBe('');
});

test('a row one field short under a header without a trailing comma is still "a value left out"', () => {
  const text = [headerLine, rowLines[0], rowLines[1].replace(/,\d+$/, '')].join('\n') + '\n';
  const detect = runCli(['detect', '-i', writeInput(work, 'short.csv', text), '-o', join(work, 'short')]);
  expect(detect.status).toBe(2);
  expect(detect.stderr).toContain(
    ':3:6: malformed CSV: expected 6 fields, as in the header, got 5: likely a value left out'
  );
});
