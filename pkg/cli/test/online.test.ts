/** detect --online: causal, calibrated scores; real files with repeated timestamps and constant columns. */
import { readFileSync, statSync } from 'fs';
import { join } from 'path';
import { METRICS } from '../src/sample/generateTelemetry';
import { readCsv, REPO_ROOT, runCli, smallTelemetryRows, tempDir, toCsv, writeInput } from './cliHarness';

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
    const { scores, run, outputDir } = detect(input, 'online', '--online', '--warmup', '300', '-q');
    expect(run.stderr).toBe('');
    // The summary counts them as the model's training rows too (it said 0 beside 300 rows skipped for training).
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect([summary.training_rows, summary.rows_skipped.training]).toEqual([300, 300]);
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

  it('refuses a warm-up too short to train on with exit 2, the file and line, and no output', () => {
    const outputDir = join(work, 'short-warmup');
    const run = runCli(['detect', '--input', input, '--output-dir', outputDir, '--online', '--warmup', '10']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(
      /day\.csv:2:1: cannot train on the first 10 complete rows \(raise --warmup\): .*training needs 19/
    );
    expect(() => readFileSync(join(outputDir, 'scores.csv'))).toThrow();
  });

  it('is what --mode online asks for', () => {
    const viaMode = detect(input, 'mode', '--mode', 'online', '--warmup', '300', '-q').scores;
    const viaFlag = detect(input, 'flag', '--online', '--warmup', '300', '-q').scores;
    expect(viaMode.map((row) => row.anomaly_score)).toEqual(viaFlag.map((row) => row.anomaly_score));
  });

  it('keeps rows whose timestamp repeats (a clock change) in file order, with one counted warning', () => {
    const repeated = rows.map((row, i) => (i >= 600 && i < 660 ? { ...row, timestamp: rows[i - 60].timestamp } : row));
    const file = writeInput(work, 'repeated.csv', toCsv(repeated));
    const { run, scores, outputDir } = detect(file, 'repeated', '--online', '--warmup', '300');
    expect(scores).toHaveLength(rows.length);
    expect(scores[600].timestamp).toBe(new Date(String(rows[540].timestamp)).toISOString());
    const warnings = run.stderr.split('\n').filter((line) => line.includes('warning'));
    expect(warnings).toHaveLength(1);
    const repaired = /60 rows have a timestamp no later than an earlier row's .*repeated\.csv:602.*timed just after/;
    expect(warnings[0]).toMatch(repaired);
    // The summary keeps what stderr said.
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.warnings).toEqual([expect.stringMatching(repaired)]);
  });

  it('counts one repeated timestamp of data finer than a millisecond once (nanosecond epochs, 1 µs apart)', () => {
    // Before, the repeated row was timed 1 ms after the row before it, and so were the ~1 000 rows after it.
    const startNs = BigInt(Date.parse(String(rows[0].timestamp))) * 1_000_000n;
    const fine = rows
      .slice(0, 400)
      .map((row, i) => ({ ...row, timestamp: String(startNs + BigInt(i === 100 ? 99 : i) * 1000n) }));
    const file = writeInput(work, 'fine.csv', toCsv(fine));
    const { run, scores } = detect(file, 'fine');
    expect(scores).toHaveLength(400);
    const warnings = run.stderr.split('\n').filter((line) => line.includes('warning') && line.includes('timestamp'));
    expect(warnings).toEqual([
      expect.stringMatching(/ 1 rows have a timestamp no later than an earlier row's .*fine\.csv:102/),
    ]);
  });

  it('keeps a constant column with a warning in batch mode', () => {
    const constant = rows.map((row) => ({ ...row, error_count: 0 }));
    const file = writeInput(work, 'constant.csv', toCsv(constant));
    const { run, scores, outputDir } = detect(file, 'constant');
    const constantColumn = /column "error_count" is constant over the training rows/;
    expect(run.stderr).toMatch(constantColumn);
    expect(scores.filter((row) => row.status === 'scored').length).toBeGreaterThan(1000);
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.warnings).toContainEqual(expect.stringMatching(constantColumn));
  });

  // Before: online mode said nothing, even when every column was constant over the rows its model trained on.
  it.each([
    ['one column', { error_count: 0 }, /warning: column "error_count" is constant over the training rows; /],
    [
      'every column',
      Object.fromEntries(METRICS.map((metric, i) => [metric, i])),
      /warning: every column is constant over the 300 training rows \(.*\): zero variance carries no information/,
    ],
  ])('warns of a constant warm-up column as batch training does, in detect and stream (%s)', (name, fixed, warning) => {
    // Constant over the warm-up rows (the first model's training rows) only.
    const constant = rows.map((row, i) => (i < 300 ? { ...row, ...fixed } : row));
    const csv = toCsv(constant);
    const { run, outputDir } = detect(
      writeInput(work, `constant-warm-up-${name}.csv`, csv),
      `cw-${name}`,
      '--online',
      '--warmup',
      '300'
    );
    expect(run.stderr).toMatch(warning);
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.warnings.filter((line: string) => warning.test(`warning: ${line}`))).toHaveLength(1);
    const streamed = runCli(['stream', '--online', '--warmup', '300', '--format', 'csv'], csv);
    expect(streamed.status).toBe(0);
    expect(streamed.stderr.split('\n').filter((line) => warning.test(line))).toHaveLength(1);
  });
});

describe('the demo as `npm run demo` runs it: detect --online --warmup 1440 on data/sample_telemetry.csv', () => {
  it('finds all five incidents, and at least 80 % of its flags are inside them', () => {
    const labels = readCsv(join(REPO_ROOT, 'data/sample_telemetry_labels.csv'));
    const { scores } = detect(
      join(REPO_ROOT, 'data/sample_telemetry.csv'),
      'demo',
      '--online',
      '--warmup',
      '1440',
      '-q'
    );
    const flagged = scores.filter((row) => row.is_anomaly === '1').map((row) => Date.parse(row.timestamp));
    const inside = (t: number) => labels.some((l) => t >= Date.parse(l.start) && t <= Date.parse(l.end));
    expect(labels).toHaveLength(5);
    for (const label of labels) {
      const [start, end] = [Date.parse(label.start), Date.parse(label.end)];
      expect({ kind: label.kind, found: flagged.some((t) => t >= start && t <= end) }).toEqual({
        kind: label.kind,
        found: true,
      });
    }
    expect(flagged.filter(inside).length / flagged.length).toBeGreaterThanOrEqual(0.8);
  });
});

describe('--group-by: the flagged share of each group (sample --days 1 --hosts a,b)', () => {
  // The 66 % once reported for --group-by came from batch training on the first 30 % of a single day (night hours)
  // and scoring the daytime; a single host flags the same share. Online mode calibrates each group on its own
  // recent scores; batch mode now says when it over-flags.
  const file = join(work, 'hosts.csv');
  beforeAll(() => {
    const run = runCli(['sample', '--days', '1', '--hosts', 'a,b', '--output', file, '-q']);
    expect(run.status).toBe(0);
  });

  it('online: each group flags about the contamination', () => {
    const { scores, outputDir } = detect(
      file,
      'hosts-online',
      '--group-by',
      'host',
      '--online',
      '--warmup',
      '300',
      '-q'
    );
    for (const host of ['a', 'b']) {
      const scored = scores.filter((row) => row.host === host && row.status === 'scored');
      const flagged = scored.filter((row) => row.is_anomaly === '1').length;
      expect(scored.length).toBe(1140);
      expect(flagged / scored.length).toBeLessThanOrEqual(0.03);
    }
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.warnings).toEqual([]);
    expect([summary.groups.a.training_rows, summary.groups.b.training_rows, summary.training_rows]).toEqual([
      300, 300, 600,
    ]);
  });

  it('batch: a group that flags more than three times the contamination is warned about, on stderr and in the summary', () => {
    const { run, outputDir } = detect(file, 'hosts-batch', '--group-by', 'host');
    expect(run.stderr).toMatch(
      /warning: group "a": flagged \d+ of 1429 rows .* more than 3 times the contamination 0\.01/
    );
    const summary = JSON.parse(readFileSync(join(outputDir, 'summary.json'), 'utf8'));
    expect(summary.warnings).toHaveLength(2);
    expect(summary.warnings[0]).toMatch(/use online mode/);
  });

  it('stream with a batch model warns of the same over-flagging at the end of its input', () => {
    const model = join(work, 'hosts-model.json');
    // Trained as detect trains by default: on each group's first 30 % (the night hours).
    const train = runCli([
      'train',
      '--input',
      file,
      '--model',
      model,
      '--group-by',
      'host',
      '--train-fraction',
      '0.3',
      '-q',
    ]);
    expect(train.status).toBe(0);
    const streamed = runCli(['stream', '--model', model, '--format', 'csv'], readFileSync(file, 'utf8'));
    expect(streamed.status).toBe(0);
    expect(streamed.stderr).toMatch(
      /warning: group "a": flagged \d+ of \d+ rows .* more than 3 times the contamination 0\.01: .*use online mode/
    );
  });
});

describe('stream --online', () => {
  it('flags the rows detect --online flags, with the same scores, one JSON line each', () => {
    const csv = toCsv(rows);
    const input = writeInput(work, 'stream.csv', csv);
    const { scores } = detect(input, 'stream-reference', '--online', '--warmup', '300', '-q');
    const expected = scores.filter((row) => row.is_anomaly === '1');
    const streamed = runCli(['stream', '--online', '--warmup', '300', '--format', 'csv', '-q'], csv);
    expect(streamed.status).toBe(0);
    const lines = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(expected.length).toBeGreaterThan(0);
    expect(lines.map((line) => line.timestamp)).toEqual(expected.map((row) => row.timestamp));
    expect(lines.map((line) => String(line.anomaly_score))).toEqual(expected.map((row) => row.anomaly_score));
  });

  it.each([
    ['--seed and --window', ['--seed', '5', '--window', '30']],
    ['per series, raw, fewer trees', ['--mode', 'per-series', '--raw', '--trees', '40', '--max-samples', '128']],
    ['no seasonality, lags', ['--no-seasonality', '--lags', '2']],
  ])('takes the model options detect --online takes, and flags the same rows for them (%s)', (_, options) => {
    // A review: stream refused --seed, --window, --mode... as unknown, so it could not flag what detect flagged.
    const csv = toCsv(rows);
    const input = writeInput(work, 'stream-options.csv', csv);
    const reference = detect(
      input,
      `stream-options-${options.join('')}`,
      '--online',
      '--warmup',
      '300',
      ...options,
      '-q'
    );
    const defaults = detect(input, `stream-defaults-${options.join('')}`, '--online', '--warmup', '300', '-q');
    const flagged = (scores: Array<Record<string, string>>) =>
      scores.filter((row) => row.is_anomaly === '1').map((row) => `${row.timestamp} ${row.anomaly_score}`);
    expect(flagged(reference.scores)).not.toEqual(flagged(defaults.scores)); // the options change what is flagged
    const streamed = runCli(['stream', '--online', '--warmup', '300', ...options, '--format', 'csv', '-q'], csv);
    expect(streamed.status).toBe(0);
    const lines = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.map((line) => `${line.timestamp} ${line.anomaly_score}`)).toEqual(flagged(reference.scores));
  });

  it('leaves out a column whose first row holds text, as detect leaves text columns out, with a warning', () => {
    // A review: an InfluxDB 1.x export (name,time,...) had every row skipped: "telemetry" is not a number.
    const influx = rows.map(({ timestamp, ...metrics }) => ({ name: 'telemetry', time: timestamp, ...metrics }));
    const csv = toCsv(influx);
    const input = writeInput(work, 'influx-export.csv', csv);
    const reference = detect(input, 'influx-export', '--online', '--warmup', '300', '--timestamp-column', 'time', '-q');
    const expected = reference.scores.filter((row) => row.is_anomaly === '1').map((row) => row.timestamp);
    const streamed = runCli(
      ['stream', '--online', '--warmup', '300', '--timestamp-column', 'time', '--format', 'csv'],
      csv
    );
    expect(streamed.status).toBe(0);
    expect(streamed.stderr).toContain(
      'warning: column "name" holds text in the first rows ("telemetry"): not a metric of the stream; --columns chooses the metrics'
    );
    const lines = streamed.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(expected.length).toBeGreaterThan(0);
    expect(lines.map((line) => line.timestamp)).toEqual(expected);
  });

  it('refuses the model options with --model, whose model is already trained', () => {
    const run = runCli(['stream', '--model', 'model.json', '--seed', '3'], '');
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--seed: only online mode uses it');
  });

  it('needs either --model or --online', () => {
    const run = runCli(['stream', '--format', 'csv'], toCsv(rows.slice(0, 5)));
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/give either --model FILE or --online/);
  });
});

describe('detect --threads', () => {
  // 3 days x 3 hosts at one-minute steps (12 960 rows) twice over: above the size where the scoring thread starts.
  const days = smallTelemetryRows({ days: 3, hosts: ['a', 'b', 'c'], seed: 5 });
  const rows = [
    ...days,
    ...days.map((row) => ({ ...row, timestamp: Date.parse(String(row.timestamp)) + 3 * 86_400_000 })),
  ]
    .map((row, i) => (i % 997 === 0 ? { ...row, cpu_usage: '' } : row)) // some missing values
    .map((row) => ({ ...row, timestamp: new Date(row.timestamp).toISOString() }));
  const input = writeInput(work, 'threads.csv', toCsv(rows));
  const outputs = (dir: string) =>
    ['scores.csv', 'anomalies.csv', 'model.json'].map((name) => readFileSync(join(dir, name), 'utf8'));

  it.each([
    ['online, grouped', ['--online', '--warmup', '500', '--group-by', 'host', '--chunk-rows', '3000']],
    // refits inside batches: the reading thread explains with each model the scoring thread hands over
    ['online, refitted', ['--online', '--warmup', '500', '--refit-every', '1700', '--chunk-rows', '2500']],
    // the reading thread walks a share of every batch (WalkBalance): the rows each model of each column left it
    [
      'online, per column, refitted',
      ['--online', '--warmup', '500', '--mode', 'per-column', '--refit-every', '1700', '--chunk-rows', '2500'],
    ],
    // stretches of >= MIN_SPLIT_ROWS rows: the scoring thread splits each one's forest walk with its helper thread
    ['online, forest walk split', ['--online', '--warmup', '500', '--refit-every', '9000', '--chunk-rows', '12000'], 3],
    ['batch, per column', ['--mode', 'per-column', '--chunk-rows', '2500']],
    // batch mode has no forest helper: a third thread asked for is not started
    ['batch, three threads asked', ['--chunk-rows', '2500'], 3, 2],
  ] as Array<[string, string[], number?, number?]>)(
    'scoring on more threads writes exactly what one thread writes (%s)',
    (name, args, asked = 2, used = asked) => {
      expect(rows.length).toBeGreaterThan(20_000);
      const one = detect(input, `one-${name}`, ...args, '--threads', '1', '-q');
      const more = detect(input, `more-${name}`, ...args, '--threads', String(asked), '-q');
      const threads = (dir: string) => JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).threads;
      expect([threads(one.outputDir), threads(more.outputDir)]).toEqual([1, used]);
      expect(more.scores.filter((row) => row.is_anomaly === '1').length).toBeGreaterThan(0);
      expect(outputs(more.outputDir)).toEqual(outputs(one.outputDir));
    }
  );

  it('a large input (worker started ahead and warmed up while the input is checked, rows kept from the check, the reading thread walking a share): two threads write what one writes', () => {
    // Over 8 MiB: the size from which the worker starts before the check and warms its engine up meanwhile.
    const lines = ['timestamp,cpu,latency'];
    for (let i = 0; i < 300_000; i++) {
      const wave = Math.sin(i / 720);
      const noise = ((i * 7919) % 1000) / 100;
      lines.push(
        `${1.7e12 + i * 15_000},${(50 + 20 * wave + noise).toFixed(3)},${(200 - 30 * wave + 2 * noise).toFixed(2)}`
      );
    }
    const large = writeInput(work, 'large.csv', lines.join('\n') + '\n');
    expect(statSync(large).size).toBeGreaterThan(8 << 20);
    const args = ['--online', '--warmup', '2000', '--refit-every', '50000', '-q'];
    const [one, two] = ['1', '2'].map((threads) => {
      const outputDir = join(work, `large-${threads}`);
      const run = runCli(['detect', '--input', large, '--output-dir', outputDir, ...args, '--threads', threads]);
      expect(run.status).toBe(0);
      return outputDir;
    });
    expect(JSON.parse(readFileSync(join(two, 'summary.json'), 'utf8')).threads).toBe(2);
    expect(outputs(two)).toEqual(outputs(one));
  });

  it('online with refits inside batches: what it writes does not depend on --chunk-rows, explanations included (each anomaly explained by the model that scored it)', () => {
    const args = ['--online', '--warmup', '500', '--refit-every', '1700', '-q'];
    const runs = [
      detect(input, 'chunks-2500', ...args, '--chunk-rows', '2500', '--threads', '1'),
      detect(input, 'chunks-700', ...args, '--chunk-rows', '700', '--threads', '1'),
      detect(input, 'chunks-6100-two', ...args, '--chunk-rows', '6100', '--threads', '2'),
    ];
    const anomalies = readCsv(join(runs[0].outputDir, 'anomalies.csv'));
    expect(anomalies.filter((row) => row.feature_1 !== '').length).toBeGreaterThan(10);
    for (const run of runs.slice(1)) {
      expect(outputs(run.outputDir)).toEqual(outputs(runs[0].outputDir));
    }
  });

  it('reports what the engine refuses on the scoring thread as on the main thread: exit 2, file and line, no output', () => {
    const outputDir = join(work, 'threads-short-warmup');
    const run = runCli(['detect', '--input', input, '--output-dir', outputDir, '--online', '--warmup', '10']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/threads\.csv:2:1: cannot train on the first 10 complete rows \(raise --warmup\)/);
    expect(() => readFileSync(join(outputDir, 'scores.csv'))).toThrow();
  });

  it('warns of constant warm-up columns from the scoring thread as from the main thread', () => {
    const constant = writeInput(work, 'threads-constant.csv', toCsv(rows.map((row) => ({ ...row, error_count: 0 }))));
    const args = ['--online', '--warmup', '500', '--group-by', 'host', '-q'];
    const warnings = (threads: string) =>
      JSON.parse(
        readFileSync(
          join(detect(constant, `constant-${threads}`, ...args, '--threads', threads).outputDir, 'summary.json'),
          'utf8'
        )
      ).warnings;
    const expected = ['a', 'b', 'c'].map((host) =>
      expect.stringMatching(new RegExp(`^group "${host}": column "error_count" is constant over the training rows`))
    );
    expect(warnings('2')).toEqual(expect.arrayContaining(expected));
    expect(warnings('2')).toEqual(warnings('1'));
  });

  it('refuses a thread count other than 1, 2 or 3 with exit 2', () => {
    const run = runCli(['detect', '--input', input, '--output-dir', join(work, 'bad'), '--threads', '4']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--threads/);
  });
});

describe('--mode per-series: the flagged share of rows, batch and online alike', () => {
  // A review (2026-12-07): i.i.d. noise in 5 columns, batch per series at contamination 0.01, flagged 5.0 % of the
  // rows and blamed drift; online flagged 0.84 %. Each column's model now flags contamination / 5 of the rows.
  const noise = join(work, 'noise5.csv');
  beforeAll(() => {
    let state = 12345;
    const uniform = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const lines = ['timestamp,m0,m1,m2,m3,m4'];
    for (let r = 0; r < 20_000; r++) {
      // Sums of uniforms: near-Gaussian noise, each column on a scale of its own.
      const cells = Array.from({ length: 5 }, (_, c) => ((uniform() + uniform() + uniform()) * (c + 1)).toFixed(4));
      lines.push(`${1_700_000_000 + 60 * r},${cells.join(',')}`);
    }
    writeInput(work, 'noise5.csv', lines.join('\n') + '\n');
  });

  it.each([[[]], [['--online', '--warmup', '2000']]])('%j: about the contamination, no warning', (extra) => {
    const { run, scores } = detect(noise, `noise5-${extra.length}`, '--mode', 'per-series', ...extra);
    const scored = scores.filter((row) => row.status === 'scored');
    const share = scored.filter((row) => row.is_anomaly === '1').length / scored.length;
    expect(share).toBeGreaterThan(0.004);
    expect(share).toBeLessThan(0.016);
    expect(run.stderr).not.toMatch(/more than 3 times the contamination/);
  });
});
