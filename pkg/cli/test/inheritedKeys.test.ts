/** JSON and NDJSON keys named like inherited object properties are columns like any other. */
import { join } from 'path';
import { runCli, smallTelemetryRows, tempDir, writeInput } from './cliHarness';

const work = tempDir();
const KEYS = ['valueOf', 'toString', 'constructor', 'hasOwnProperty', '__proto__'];

/** Rows whose key `key` holds a number in even rows and is left out of odd ones (JSON text: "__proto__" as a key). */
function objects(key: string): string[] {
  return smallTelemetryRows()
    .slice(0, 400)
    .map((row, i) => {
      const text = JSON.stringify(row);
      return i % 2 === 0 ? `${text.slice(0, -1)},${JSON.stringify(key)}:${i % 7}}` : text;
    });
}

describe.each(KEYS)('a key %s left out of some rows is a missing value there', (key) => {
  // Before (a review): the row read the inherited value: 'column "valueOf": undefined is not a number' ("__proto__":
  // '{} is not a number'), exit 2.
  const warning = `column "${key}" has no value in 200 of 400 rows (50 %)`;

  test.each(['ndjson', 'json'])('detect, %s', (format) => {
    const text = format === 'json' ? `[\n${objects(key).join(',\n')}\n]\n` : `${objects(key).join('\n')}\n`;
    const input = writeInput(work, `${key}.${format}`, text);
    const run = runCli(['detect', '--input', input, '--output-dir', join(work, `${key}-${format}`)]);
    expect(run.stderr).toContain(warning);
    expect(run.stderr).not.toContain('is not a number');
    expect(run.status).toBe(0);
  });

  test('stream --online', () => {
    const run = runCli(['stream', '--online', '--warmup', '100'], `${objects(key).join('\n')}\n`);
    expect(run.stderr).not.toContain('is not a number');
    expect(run.stderr).toMatch(/^400 rows, \d+ scored, 200 with missing values, 0 bad rows skipped/m);
    expect(run.status).toBe(0);
  });
});
