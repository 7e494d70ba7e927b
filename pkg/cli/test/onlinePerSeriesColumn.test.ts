/** stream --online --mode per-series names the column that explains each anomaly, as the engine's rule chooses it. */
import { join } from 'path';
import { METRICS } from '../src/sample/generateTelemetry';
import { jsonLines, readCsv, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

test('stream --online --mode per-series: each anomaly has its "column", the flagging column with the highest score', () => {
  // Before (a review): no "column" field, though the README promises it; its top features (and detect --online's in
  // anomalies.csv) came from the first column's model, whichever column flagged the row.
  const work = tempDir();
  const csv = toCsv(smallTelemetryRows());
  const outputDir = join(work, 'out');
  const args = ['--online', '--mode', 'per-series', '--warmup', '300'];
  const detect = runCli(['detect', ...args, '-q', '-i', writeInput(work, 'day.csv', csv), '-o', outputDir]);
  expect(detect.status).toBe(0);
  const scores = new Map(readCsv(join(outputDir, 'scores.csv')).map((row) => [row.timestamp, row]));
  const run = runCli(['stream', ...args, '--format', 'csv', '-q'], csv);
  expect(run.status).toBe(0);
  const lines = jsonLines(run.stdout);
  expect(lines.length).toBeGreaterThan(0);
  const anomalies = readCsv(join(outputDir, 'anomalies.csv'));
  expect(anomalies.map((row) => row.timestamp)).toEqual(lines.map((line) => line.timestamp));
  lines.forEach((line, k) => {
    const row = scores.get(line.timestamp)!;
    const columnScore = (name: string) => Number(row[`anomaly_score_${name}`]);
    const flagging = METRICS.filter((name) => columnScore(name) > line.threshold);
    const expected = flagging.reduce((best, name) => (columnScore(name) > columnScore(best) ? name : best));
    expect(line.column).toBe(expected);
    expect(line.anomaly_score).toBe(Number(row.anomaly_score));
    // Explained by that column's model: its features are of that column; so are detect's.
    expect(line.top_features.every(({ name }: { name: string }) => name.startsWith(expected))).toBe(true);
    expect(anomalies[k].feature_1.startsWith(expected)).toBe(true);
  });
});
