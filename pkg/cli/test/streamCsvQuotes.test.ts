/** stream refuses the quotes detect refuses, in the same words, at the same place. */
import { join } from 'path';
import { runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const work = tempDir();
const rows = toCsv(
  smallTelemetryRows()
    .slice(0, 40)
    .map((row) => ({ ...row, note: 'ok' }))
)
  .trimEnd()
  .split('\n');

test.each([
  [
    'a quote inside an unquoted field',
    'we"b',
    '12:7: malformed CSV: Invalid Opening Quote: a quote is found on field 7, value is "we"',
  ],
  [
    'a space before an opening quote',
    ' "x"',
    '12:7: malformed CSV: Invalid Opening Quote: a quote is found on field 7, value is " "',
  ],
])('%s', (name, cell, message) => {
  // Before (a review): stream read the row, the quote as text.
  const text = rows.map((line, i) => (i === 11 ? line.replace(/,ok$/, `,${cell}`) : line)).join('\n') + '\n';
  const input = writeInput(work, `${name}.csv`, text);
  const detect = runCli(['detect', '-i', input, '-o', join(work, `${name}-out`)]);
  expect(detect.status).toBe(2);
  expect(detect.stderr).toBe(`telemetry-analyzer: ${input}:${message}\n`);
  const stream = runCli(['stream', '--online', '--format', 'csv', '--warmup', '20'], text);
  expect(stream.status).toBe(2);
  expect(stream.stderr).toContain(`telemetry-analyzer: warning: <stdin>:${message} (row skipped)\n`);
  expect(stream.stderr).toMatch(/^39 rows, 19 scored, 0 with missing values, 1 bad rows skipped/m);
  const strict = runCli(['stream', '--online', '--format', 'csv', '--warmup', '20', '--strict'], text);
  expect(strict.status).toBe(2);
  expect(strict.stderr).toContain(`telemetry-analyzer: <stdin>:${message}\n`);
});
