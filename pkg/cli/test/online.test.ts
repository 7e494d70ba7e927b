/** detect --online: causal, calibrated scores; real files with repeated timestamps and constant columns. */
import { join } from 'path';
import { readCsv, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const work = tempDir();
const rows = smallTelemetryRows(); // one day at one-minute steps: 1440 rows

function detect(input: string, name: string, ...args: string[]) {
  const outputDir = join(work, name);
  const run = runCli(['detect', '--input', input, '--output-dir', outputDir, ...args]);
  expect(run.status).toBe(0);
  return { run, scores: readCsv(join(outputDir, 'scores.csv')), outputDir };
}

describe('detect --online', () => {
  const input = writeInput(work, 'day.csv', toCsv(rows));

  it('trains on the warm-up rows, then scores every later row with a calibrated and a raw score', () => {
    const { scores, run } = detect(input, 'online', '--online', '--warmup', '300', '-q');
    expect(run.stderr).toBe('');
    expect(scores).toHaveLength(rows.length);
    expect(scores.slice(0, 300).every((row) => row.status === 'training' && row.anomaly_score === '')).toBe(true);
    const scored = scores.slice(300);
    expect(scored.every((row) => row.status === 'scored')).toBe(true);
    expect(scored.every((row) => Number(row.anomaly_score) >= 0 && Number(row.anomaly_score) <= 1)).toBe(true);
    expect(scored.every((row) => Number(row.raw_score) > 0 && Number(row.raw_score) <= 1)).toBe(true);
  });

  it('scores a row from the rows before it alone: a truncated file gives the same scores for what it holds', () => {
    const head = writeInput(work, 'head.csv', toCsv(rows.slice(0, 900)));
    const full = detect(input, 'full', '--online', '--warmup', '300', '-q').scores;
    const truncated = detect(head, 'head', '--online', '--warmup', '300', '-q').scores;
    expect(truncated.map((row) => row.anomaly_score)).toEqual(full.slice(0, 900).map((row) => row.anomaly_score));
  });

  it('is what --mode online asks for', () => {
    const viaMode = detect(input, 'mode', '--mode', 'online', '--warmup', '300', '-q').scores;
    const viaFlag = detect(input, 'flag', '--online', '--warmup', '300', '-q').scores;
    expect(viaMode.map((row) => row.anomaly_score)).toEqual(viaFlag.map((row) => row.anomaly_score));
  });

  it('keeps rows whose timestamp repeats (a clock change) in file order, with one counted warning', () => {
    const repeated = rows.map((row, i) => (i >= 600 && i < 660 ? { ...row, timestamp: rows[i - 60].timestamp } : row));
    const file = writeInput(work, 'repeated.csv', toCsv(repeated));
    const { run, scores } = detect(file, 'repeated', '--online', '--warmup', '300');
    expect(scores).toHaveLength(rows.length);
    expect(scores[600].timestamp).toBe(new Date(String(rows[540].timestamp)).toISOString());
    const warnings = run.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(
      /60 rows have a timestamp that does not come after the previous row's .*repeated\.csv:602/
    );
  });

  it('keeps a constant column with a warning in batch mode', () => {
    const constant = rows.map((row) => ({ ...row, error_count: 0 }));
    const file = writeInput(work, 'constant.csv', toCsv(constant));
    const { run, scores } = detect(file, 'constant');
    expect(run.stderr).toMatch(/warning: column "error_count" is constant over the training rows/);
    expect(scores.filter((row) => row.status === 'scored').length).toBeGreaterThan(1000);
  });
});
