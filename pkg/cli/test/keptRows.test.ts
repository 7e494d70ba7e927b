// detect keeps the rows its check pass parsed (within a memory budget) and scores them without reading the input
// again: what it writes must not depend on whether the rows fit. The built modules: the scoring thread runs dist/.
import { createReadStream, readFileSync, statSync } from 'fs';
import { Readable } from 'stream';
import { join } from 'path';
import { Command } from 'commander';
import { addDetectionOptions, addOnlineOptions } from '../dist/commands/detectionFlags';
import { parseDetectionFlags } from '../dist/pipeline/detectionOptions';
import { runDetect } from '../dist/pipeline/runDetect';
import { openReopenableInput } from '../dist/pipeline/inputFile';
import { scanInput } from '../dist/input/scanInput';
import { readDataRecordBatches } from '../dist/input/recordBatches';
import { inputShareRead, KeptRows } from '../dist/input/keptRows';
import { smallTelemetryRows, tempDir, toCsv, toNdjson, writeInput } from './cliHarness';

const work = tempDir('kept-rows-');

/** Two hosts, some missing values and a text column, and a repeated hour (timestamps that do not increase). */
function rows() {
  const all = smallTelemetryRows({ days: 2, hosts: ['a', 'b'], seed: 3 }).map((row, i) => ({
    ...row,
    region: i % 2 === 0 ? 'eu' : 'us',
    cpu_usage_percent: i % 211 === 0 ? '' : row.cpu_usage_percent,
  }));
  const repeated = all.slice(1200, 1320).map((row) => ({ ...row }));
  return [...all.slice(0, 1320), ...repeated, ...all.slice(1320)];
}

function settingsOf(args: string[]) {
  const command = addOnlineOptions(addDetectionOptions(new Command('detect').exitOverride(), '0.3'));
  command.parse(args, { from: 'user' });
  return parseDetectionFlags(command.opts());
}

async function detect(input: string, name: string, args: string[], keepParsedBytes?: number) {
  const outputDir = join(work, name);
  const { summary } = await runDetect({
    input,
    outputDir,
    settings: settingsOf([...args, '-q']),
    contaminationGiven: false,
    keepParsedBytes,
  });
  const outputs = ['scores.csv', 'anomalies.csv', 'model.json'].map((file) =>
    readFileSync(join(outputDir, file), 'utf8')
  );
  return { summary, outputs };
}

describe('rows kept from the check pass', () => {
  const csv = writeInput(work, 'input.csv', toCsv(rows()));
  const ndjson = writeInput(work, 'input.ndjson', toNdjson(rows()));

  it.each([
    ['online, grouped', csv, ['--online', '--warmup', '300', '--group-by', 'host']],
    [
      'online, refits, small chunks',
      csv,
      ['--online', '--warmup', '300', '--refit-every', '700', '--chunk-rows', '250'],
    ],
    ['batch, per column, NDJSON', ndjson, ['--mode', 'per-column', '--group-by', 'host', '--chunk-rows', '400']],
  ])('score as the input read again does (%s)', async (name, input, args) => {
    const kept = await detect(input, `kept-${name}`, args);
    const readAgain = await detect(input, `read-${name}`, args, 1);
    expect(kept.outputs).toEqual(readAgain.outputs);
    expect(kept.summary.rows_read).toBe(rows().length);
    expect(kept.summary.timestamps_not_increasing).toBeGreaterThan(0);
    expect(kept.summary.ignored_text_columns).toContain('region');
    // Rows with a missing value reach the outputs: unscored (status missing), or per series scored for the other
    // metrics with the missing one's score cell empty.
    const [header, ...lines] = kept.outputs[0].split('\n').map((line) => line.split(','));
    const status = header.indexOf('status');
    const cpu = header.indexOf('anomaly_score_cpu_usage_percent');
    const withGap = lines.filter((cells) => cells[status] === 'missing' || (cpu >= 0 && cells[cpu] === ''));
    expect(withGap.length).toBeGreaterThan(10);
  });

  it('are the rows as scoring reads them: every row, the metric columns only, each missing value marked', async () => {
    const input = await openReopenableInput(csv);
    try {
      const roles = settingsOf([]).roles;
      const scan = await scanInput(input.open, input.format, input.source, roles, true, false, 64 << 20);
      const batches = scan.rowBatches!;
      expect(batches.reduce((sum, batch) => sum + batch.size, 0)).toBe(scan.rows);
      expect(batches.every((batch) => batch.values.length === scan.schema.metricNames.length)).toBe(true);
      const missing = batches.reduce((sum, batch) => sum + batch.missing.reduce((n, flag) => n + flag, 0), 0);
      expect(missing).toBe(rows().filter((row) => row.cpu_usage_percent === '').length);
      const lines = batches.flatMap((batch) => Array.from(batch.lines));
      expect(lines).toEqual(Array.from({ length: scan.rows }, (_, i) => i + 2));
      // Too little memory for them: none kept, and the scan is otherwise the same.
      const without = await scanInput(input.open, input.format, input.source, roles, true, false, 1000);
      expect(without.rowBatches).toBeUndefined();
      expect(without.rows).toBe(scan.rows);
    } finally {
      input.close();
    }
  });

  it('are not kept from the start when the share of the input read so far says they will not fit', () => {
    // 2 candidate columns: 45 bytes a row. Half the input read, 400 rows kept: 36 000 bytes for the whole input.
    const kept = new KeptRows(2, 40_000);
    expect(kept.next(200, 0.25)).toBeDefined();
    expect(kept.next(200, 0.5)).toBeDefined();
    expect(kept.next(50, 0.5)).toBeUndefined(); // 450 rows: 40 500 bytes projected
    expect(kept.next(10, 0.6)).toBeUndefined(); // nothing more once given up
    expect(kept.finish([0, 1])).toBeUndefined();
    // Without a share (not a file), only what is kept counts.
    const unknown = new KeptRows(2, 40_000);
    expect(unknown.next(800)).toBeDefined();
    expect(unknown.next(100)).toBeUndefined();
  });

  it('know how much of a file its read stream has read', async () => {
    const stream = createReadStream(csv, { highWaterMark: 4096 });
    await new Promise((resolve) => stream.once('readable', resolve));
    stream.read();
    expect(inputShareRead(stream)).toBeCloseTo(4096 / statSync(csv).size, 6);
    stream.destroy();
    expect(inputShareRead(Readable.from(['a,b\n']))).toBeUndefined();
  });

  it("leave a JSON input's keys to the later passes: each pass after the check reads the input once, not its keys again", async () => {
    const input = await openReopenableInput(ndjson);
    try {
      let opened = 0;
      const open = () => {
        opened++;
        return input.open();
      };
      const roles = settingsOf([]).roles;
      await scanInput(open, input.format, input.source, roles, true, false, 64 << 20);
      expect(opened).toBe(2); // every object's keys, then the records
      for await (const batch of readDataRecordBatches(open, input.format, input.source)) {
        expect(batch.records.size).toBeGreaterThan(0);
      }
      expect(opened).toBe(3);
    } finally {
      input.close();
    }
  });
});
