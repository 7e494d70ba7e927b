/** An NDJSON cell is placed at its key's position in its own row, as the README says a column is. */
import { join } from 'path';
import { runCli, tempDir, writeInput } from './cliHarness';

test("a bad NDJSON value is placed at its key in its row, not among every row's keys", () => {
  // Before (a review): its column was the key's position in the union of every row's keys (here 3, not 1).
  const text =
    [
      '{"timestamp": "2024-01-01T00:00:00Z", "b": 1, "a": 1}',
      '{"timestamp": "2024-01-01T00:01:00Z", "b": 2, "a": 2}',
      '{"a": "x", "timestamp": "2024-01-01T00:02:00Z", "b": 3}',
    ].join('\n') + '\n';
  const work = tempDir();
  const input = writeInput(work, 'rows.ndjson', text);
  const message = '3:1: column "a": "x" is not a number (empty, NaN or null mark a missing value)\n';
  const detect = runCli(['detect', '-i', input, '-o', join(work, 'out')]);
  expect(detect.status).toBe(2);
  expect(detect.stderr).toBe(`telemetry-analyzer: ${input}:${message}`);
  const stream = runCli(['stream', '--online', '--strict'], text);
  expect(stream.status).toBe(2);
  expect(stream.stderr).toBe(`telemetry-analyzer: <stdin>:${message}`);
});
