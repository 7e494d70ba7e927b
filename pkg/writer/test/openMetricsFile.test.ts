import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OpenMetricsFileSink } from '../src/openMetricsFile';

const labels = (name: string, extra: Record<string, string> = {}) =>
  Object.entries({ __name__: name, anomaly_job: 'cpu', ...extra })
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([n, value]) => ({ name: n, value }));

describe('OpenMetricsFileSink', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'om-sink-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes each metric as one gauge family, chunk after chunk, timestamps in seconds, and ends with # EOF', async () => {
    let written = 0;
    const sink = new OpenMetricsFileSink(join(dir, 'out.om'), (n) => (written += n));
    const chunk = (t: number) => [
      { labels: labels('anomaly_score', { host: 'a"b\\c\nd' }), timestamps: [t], values: [0.25] },
      { labels: labels('anomaly_flag', { host: 'x' }), timestamps: [t, t + 60_000], values: [NaN, Infinity] },
    ];
    expect(await sink.enqueue(chunk(1_700_000_000_000))).toBe(0);
    await sink.enqueue(chunk(1_700_000_120_500));
    await sink.close();
    expect(readFileSync(join(dir, 'out.om'), 'utf8')).toBe(
      [
        '# TYPE anomaly_score gauge',
        'anomaly_score{anomaly_job="cpu",host="a\\"b\\\\c\\nd"} 0.25 1700000000',
        'anomaly_score{anomaly_job="cpu",host="a\\"b\\\\c\\nd"} 0.25 1700000120.5',
        '# TYPE anomaly_flag gauge',
        'anomaly_flag{anomaly_job="cpu",host="x"} NaN 1700000000',
        'anomaly_flag{anomaly_job="cpu",host="x"} +Inf 1700000060',
        'anomaly_flag{anomaly_job="cpu",host="x"} NaN 1700000120.5',
        'anomaly_flag{anomaly_job="cpu",host="x"} +Inf 1700000180.5',
        '# EOF',
        '',
      ].join('\n')
    );
    expect(written).toBe(6);
    expect(readdirSync(dir)).toEqual(['out.om']); // no part files left
  });

  it('puts parts of several MiB together whole, line for line (they are copied a chunk at a time)', async () => {
    // A review: each part was read whole into memory as the output was put together (~250 MB for a week of 50 series).
    const sink = new OpenMetricsFileSink(join(dir, 'out.om'), () => undefined);
    const samples = 150_000; // ~7 MB a part: several copy chunks, the last one partial
    const timestamps = Array.from({ length: samples }, (_, i) => 1_700_000_000_000 + i * 15_000);
    for (const name of ['anomaly_score', 'anomaly_flag']) {
      await sink.enqueue([
        { labels: labels(name, { host: 'web-01' }), timestamps, values: timestamps.map((_, i) => i % 7) },
      ]);
    }
    await sink.close();
    const lines = readFileSync(join(dir, 'out.om'), 'utf8').split('\n');
    expect(lines).toHaveLength(2 * (samples + 1) + 2); // two families, # EOF, and the last newline
    expect(lines[1]).toBe('anomaly_score{anomaly_job="cpu",host="web-01"} 0 1700000000');
    expect(lines[samples]).toBe(
      `anomaly_score{anomaly_job="cpu",host="web-01"} ${(samples - 1) % 7} ${1_700_000_000 + (samples - 1) * 15}`
    );
    expect(lines[samples + 1]).toBe('# TYPE anomaly_flag gauge');
    expect(lines.slice(-2)).toEqual(['# EOF', '']);
    expect(readdirSync(dir)).toEqual(['out.om']);
  });

  it('leaves no file at all when discarded (a failed backfill)', async () => {
    const sink = new OpenMetricsFileSink(join(dir, 'out.om'), () => undefined);
    await sink.enqueue([{ labels: labels('anomaly_score'), timestamps: [1000], values: [1] }]);
    sink.discard();
    expect(existsSync(join(dir, 'out.om'))).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });
});
