/** `stream` reports an anomaly as soon as its row arrives, long before stdin closes. */
import { spawn } from 'child_process';
import { join } from 'path';
import { CLI, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('stream', () => {
  const work = tempDir();
  const rows = smallTelemetryRows();
  const model = join(work, 'model.json');

  beforeAll(() => {
    const trained = runCli([
      'train',
      '-q',
      '--input',
      writeInput(work, 'train.csv', toCsv(rows.slice(0, 600))),
      '--model',
      model,
    ]);
    expect(trained.status).toBe(0);
  });

  test.each(['ndjson', 'csv'])('writes the anomaly line before EOF (--format %s)', async (format) => {
    const child = spawn(process.execPath, [CLI, 'stream', '--model', model, '--format', format], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    const spikeLine = (timestamp: string) =>
      new Promise<string>((resolve) => {
        child.stdout.on('data', (chunk: Buffer) => {
          stdout += chunk.toString();
          const line = stdout.split('\n').find((text) => text.includes(`"timestamp":"${timestamp}"`));
          if (line) {
            resolve(line);
          }
        });
      });
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));

    const normal = rows.slice(600, 640);
    const spike = {
      ...rows[640],
      cpu_usage_percent: 100,
      memory_free_mb: 50,
      network_latency_ms: 900,
      error_count: 400,
    };
    const found = spikeLine(String(spike.timestamp));
    const asLine = (row: Record<string, string | number>) =>
      format === 'ndjson' ? JSON.stringify(row) + '\n' : Object.values(row).join(',') + '\n';
    if (format === 'csv') {
      child.stdin.write(Object.keys(rows[0]).join(',') + '\n');
    }
    for (let i = 0; i < normal.length; i += 10) {
      child.stdin.write(
        normal
          .slice(i, i + 10)
          .map(asLine)
          .join('')
      );
      await delay(20);
    }
    child.stdin.write(asLine(spike));

    try {
      const line = await Promise.race([found, delay(15_000).then(() => 'no anomaly line before EOF within 15 s')]); // stdin is still open here
      expect(child.stdin.writableEnded).toBe(false);
      const anomaly = JSON.parse(line);
      expect(anomaly.anomaly_score).toBeGreaterThan(anomaly.threshold);
      expect(anomaly.values.network_latency_ms).toBe(900);
      expect(anomaly.top_features).toHaveLength(3);
      child.stdin.end();
      expect(await exited).toBe(0);
    } finally {
      child.kill(); // no-op when it has exited; never leave a stream running after a failed expectation
    }
  });

  test('a bad row stops the stream with exit code 2 and its line', () => {
    const text =
      rows
        .slice(0, 3)
        .map((row) => JSON.stringify(row))
        .join('\n') + '\n{"timestamp": "yesterday"}\n';
    const run = runCli(['stream', '--model', model], text);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'telemetry-analyzer: <stdin>:4:1: cannot parse timestamp "yesterday" (expected ISO-8601 such as 2024-05-01T12:00:00Z or epoch seconds/milliseconds)'
    );
  });
});
