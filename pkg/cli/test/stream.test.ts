/** `stream` reports an anomaly as soon as its row arrives, long before stdin closes. */
import { spawn, spawnSync } from 'child_process';
import { closeSync, openSync } from 'fs';
import { join } from 'path';
import { CLI, readCsv, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

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
      const line = await found; // stdin is still open here (the test's timeout bounds the wait)
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

  test('a per-series model scores a row missing some metrics for the others, flagging what detect --model flags', () => {
    // A review (2026-12-06): such a row was skipped as missing, for every metric.
    const perSeries = join(work, 'per-series.json');
    const trained = runCli([
      'train',
      '-q',
      '--mode',
      'per-series',
      '--input',
      join(work, 'train.csv'),
      '--model',
      perSeries,
    ]);
    expect(trained.status).toBe(0);
    const later = rows.slice(600, 720).map((row) => ({ ...row }));
    later[60].memory_free_mb = '';
    later[60].cpu_usage_percent = 100;
    const file = writeInput(work, 'partial.csv', toCsv(later));
    const streamed = spawnSync(process.execPath, [CLI, 'stream', '-q', '--model', perSeries, '--format', 'csv'], {
      input: toCsv(later),
      encoding: 'utf8',
    });
    expect(streamed.status).toBe(0);
    const flagged = streamed.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { timestamp: string; column: string });
    expect(flagged.find((one) => one.timestamp === later[60].timestamp)?.column).toBe('cpu_usage_percent');
    const out = join(work, 'partial-out');
    expect(runCli(['detect', '-q', '--model', perSeries, '--input', file, '--output-dir', out]).status).toBe(0);
    const detected = readCsv(join(out, 'anomalies.csv')).map((row) => row.timestamp);
    expect(flagged.map((one) => one.timestamp)).toEqual(detected);
  });

  const badRowsText =
    rows
      .slice(0, 3)
      .map((row) => JSON.stringify(row))
      .join('\n') +
    '\n{"timestamp": "yesterday"}\n' +
    rows
      .slice(3, 5)
      .map((row) => JSON.stringify(row))
      .join('\n') +
    '\n\u0000\u0001\u001b[31mbad\u0007\n' +
    JSON.stringify(rows[5]) +
    '\n';

  test('skips bad rows with a warning each and counts them; the rows after them are read; exit code 2 at the end', () => {
    const run = runCli(['stream', '--model', model], badRowsText);
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n')).toEqual([
      'telemetry-analyzer: warning: <stdin>:4:1: cannot parse timestamp "yesterday" (expected ISO-8601 such as ' +
        '2024-05-01T12:00:00Z or epoch seconds, milliseconds, microseconds or nanoseconds) (row skipped)',
      expect.stringMatching(
        /^telemetry-analyzer: warning: <stdin>:7:1: binary data \(a NUL byte\), not CSV, JSON or NDJSON text \(row skipped\)$/
      ),
      // (too few rows to score past the rolling window's warm-up: every good row is read, none is lost)
      '6 rows, 0 scored, 0 with missing values, 2 bad rows skipped, 0 anomalies',
      'telemetry-analyzer: <stdin>: no row was scored (6 rows read, 0 with missing values): the model scores the ' +
        'rows of a group after its first 13 (window + lags), which warm its state up',
    ]);
  });

  test('a bad row skipped leaves the clock as it was: the rows after it are not counted as out of order', () => {
    // Its time is later than every row's; its cell is not a number. Before, its time became the group's last, and
    // every later row was "not increasing" and retimed after it (a review: 2 760 rows, their hour-of-day wrong).
    const future = { ...rows[3], timestamp: '2030-01-01T00:00:00Z', cpu_usage_percent: 'abc' };
    const text = [...rows.slice(0, 3), future, ...rows.slice(3, 8)].map((row) => JSON.stringify(row)).join('\n');
    const run = runCli(['stream', '--model', model], `${text}\n`);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('<stdin>:4:');
    expect(run.stderr.trimEnd().split('\n').at(-2)).toMatch(
      /^8 rows, \d+ scored, 0 with missing values, 1 bad rows skipped, \d+ anomalies$/
    );
  });

  test('names the first bad rows only, then counts the rest', () => {
    const bad = Array.from({ length: 15 }, () => '{"timestamp": "yesterday"}').join('\n');
    const run = runCli(['stream', '--model', model], `${JSON.stringify(rows[0])}\n${bad}\n`);
    expect(run.status).toBe(2);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.filter((line) => line.endsWith('(row skipped)'))).toHaveLength(10);
    expect(lines).toContain(
      'telemetry-analyzer: warning: further bad rows are skipped without a message; the summary counts them'
    );
    expect(lines.at(-2)).toMatch(/^1 rows, \d+ scored, 0 with missing values, 15 bad rows skipped, \d+ anomalies$/);
  });

  test('CSV piped in without --format csv: exit 2, and the last line says to give it', () => {
    const run = runCli(['stream', '--model', model], 'timestamp,cpu\n2026-01-01T00:00:00Z,1\n');
    expect(run.status).toBe(2);
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(
      'telemetry-analyzer: no line could be read as NDJSON (the default --format): for CSV give --format csv'
    );
  });

  test('--strict stops at the first bad row with exit code 2 and its line', () => {
    const run = runCli(['stream', '--model', model, '--strict'], badRowsText);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe(
      'telemetry-analyzer: <stdin>:4:1: cannot parse timestamp "yesterday" (expected ISO-8601 such as 2024-05-01T12:00:00Z or epoch seconds, milliseconds, microseconds or nanoseconds)'
    );
  });

  test('shows the bytes of a bad line safely: no control characters reach the terminal', () => {
    const run = runCli(
      ['stream', '--model', model, '--strict'],
      `${JSON.stringify(rows[0])}\n{"a": "\u001b[2J\u0007"\n`
    );
    expect(run.status).toBe(2);
    // The column of the bad character (the escape), not of the line's start.
    expect(run.stderr).toMatch(/^telemetry-analyzer: <stdin>:2:8: invalid JSON: /);
    expect(run.stderr.trimEnd()).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  });
});

describe('stream to a standard output that cannot be written', () => {
  test('fails with exit 1 and says so: anomalies that were not written are not a success (a full disk: /dev/full)', () => {
    const work = tempDir();
    const rows = smallTelemetryRows();
    const model = join(work, 'model.json');
    expect(
      runCli(['train', '-q', '--input', writeInput(work, 't.csv', toCsv(rows.slice(0, 600))), '--model', model]).status
    ).toBe(0);
    const full = openSync('/dev/full', 'w');
    try {
      // Contamination 0.3: many anomaly lines, so stdout is written to.
      const run = spawnSync(process.execPath, [CLI, 'stream', '--model', model, '--contamination', '0.3'], {
        input: toCsv(rows),
        stdio: ['pipe', full, 'pipe'],
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('telemetry-analyzer: cannot write to standard output: ENOSPC');
      expect(run.stderr).not.toMatch(/internal error|anomalies$/m);
    } finally {
      closeSync(full);
    }
  });
});

test('stream --online refuses a --refit-history too short to train on before reading a row', () => {
  // Before: the first refit failed, then every later row was refused as out of order, and the stream stopped scoring.
  const run = runCli(['stream', '--online', '--warmup', '50', '--refit-every', '10', '--refit-history', '5'], '');
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^telemetry-analyzer: --refit-history: must be at least 19 with --refit-every, got 5/);
});

test('stream --online says when the input ended within the warm-up, as detect says it', () => {
  // Before: "200 rows, 0 scored" and nothing more; then a warning and exit 0, where detect exits 2 (a review).
  const rows = smallTelemetryRows().slice(0, 200);
  const short = runCli(['stream', '--online', '--format', 'csv'], toCsv(rows));
  expect(short.status).toBe(2);
  expect(short.stderr).toContain(
    'telemetry-analyzer: <stdin>: the input never completed the --warmup 500 rows that train a model: no row was scored (200 rows read; lower --warmup, or give a longer input)'
  );
  const long = runCli(['stream', '--online', '--format', 'csv', '--warmup', '50'], toCsv(rows));
  expect(long.stderr).not.toContain('ended within the --warmup');
});

test('stream --online refuses a --warmup too short to train on before reading a row', () => {
  // Before (a review, 2026-12-05): every row after the 10th was skipped as bad, and the run ended saying the input
  // ended within the warm-up.
  const run = runCli(
    ['stream', '--online', '--format', 'csv', '--warmup', '10'],
    toCsv(smallTelemetryRows().slice(0, 50))
  );
  expect(run.status).toBe(2);
  expect(run.stderr).toMatch(/^telemetry-analyzer: --warmup: must be at least 19, got 10: the first model trains on/);
  expect(run.stdout).toBe('');
});

test.each([
  [['--warmup', '100'], '--warmup'],
  [['--group-by', 'host'], '--group-by'],
  [['--columns', 'cpu_usage_percent'], '--columns'],
  [['--horizon', '200'], '--horizon'],
])('stream --model refuses an online-only flag: %j', (flags, flag) => {
  // Before (a review, 2026-12-05): accepted and ignored.
  const work = tempDir();
  const model = join(work, 'model.json');
  expect(
    runCli([
      'train',
      '-q',
      '--input',
      writeInput(work, 't.csv', toCsv(smallTelemetryRows().slice(0, 300))),
      '--model',
      model,
    ]).status
  ).toBe(0);
  const run = runCli(['stream', '--model', model, '--format', 'csv', ...flags], '');
  expect(run.status).toBe(2);
  expect(run.stderr).toBe(
    `telemetry-analyzer: ${flag}: only online mode uses it (a --model scores its own columns and groups): add --online instead of --model, or leave it out\n`
  );
});

test('stream --online keeps at most --max-groups detectors: the group seen least recently is dropped, and warms up again', () => {
  // Before (a review, 2026-12-05): a group column whose values kept changing grew the process by 2 GB a minute.
  const base = smallTelemetryRows();
  const run30 = (host: string, from: number) => base.slice(from, from + 30).map((row) => ({ ...row, host }));
  // "b" is seen less recently than "a" when "c" comes: it is the one dropped (not the first one seen, "a").
  const rows = [...run30('a', 0), ...run30('b', 30), ...run30('a', 60), ...run30('c', 90), ...run30('b', 120)];
  const args = ['stream', '--online', '--format', 'csv', '--group-by', 'host', '--warmup', '20'];
  const kept = runCli([...args, '--max-groups', '3'], toCsv(rows));
  const dropped = runCli([...args, '--max-groups', '2'], toCsv(rows));
  // Each group's first 20 rows warm it up; "b" coming back after being dropped warms up again.
  expect(kept.stderr).toMatch(/^150 rows, 90 scored/m);
  expect(dropped.stderr).toMatch(/^150 rows, 70 scored/m);
  expect(dropped.stderr).toContain(
    'telemetry-analyzer: warning: more than 2 groups at once: the detector of the group seen least recently ("b") is dropped'
  );
  expect(kept.stderr).not.toContain('groups at once');
});

test('names from the input reach the terminal escaped: no control or bidirectional characters in warnings', () => {
  // Before (a review, 2026-12-05): a group named with ESC sequences coloured the terminal, one with U+202E reversed
  // the rest of its warning.
  const rows = smallTelemetryRows()
    .slice(0, 40)
    .map((row, i) => ({ ...row, host: i < 20 ? '\u001b[31mRED\u001b[0m' : 'evil\u202eexe.txt' }));
  const run = runCli(['stream', '--online', '--format', 'csv', '--group-by', 'host', '--warmup', '100'], toCsv(rows));
  expect(run.stderr).toContain(
    'group "\\x1b[31mRED\\x1b[0m", "evil\\u{202e}exe.txt" never completed the --warmup 100 rows that train a model'
  );
  expect(run.stderr).not.toMatch(/[\u001b\u202e]/);
});

test('stream refuses --format json, which it cannot read row by row, saying what it reads', () => {
  // Before (a review, 2026-12-07): a JSON array was read as one record, and every anomaly said "line": 1.
  const rows = smallTelemetryRows().slice(0, 50);
  const run = runCli(['stream', '--online', '--format', 'json'], JSON.stringify(rows));
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe(
    "telemetry-analyzer: --format: stream reads rows as they arrive: ndjson or csv, not json (detect --format json reads an array; jq -c '.[]' turns one into NDJSON)\n"
  );
});
