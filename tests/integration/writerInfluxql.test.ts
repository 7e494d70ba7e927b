/**
 * The writer over InfluxQL (InfluxDB 1.6 as its input, Prometheus 2.42 as its target), with samples 20 s and 50 s
 * into each minute, off the step grid: InfluxDB's GROUP BY time(1m) row at m holds the samples of [m, m + 1m), so a
 * run scores a minute only once it is whole, with its whole mean, and every minute once, live (infer_every = step)
 * and in a backfill. Runs are driven with the writer's clock (its `now` option); every wait is for a state.
 */
import { AnomalyWriter, parseWriterConfig } from '@telemetry-analyzer/writer';
import { PassThrough } from 'node:stream';
import { InfluxDBServer, startInfluxDB } from '../support/influxdb';
import { RemoteWriteTarget, rawSamples, startPrometheusReceiver } from '../support/remoteWriteTargets';
import { jsonLogLines } from './stackProcesses';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const HOSTS = ['h1', 'h2'];
/** Minute 0 of the input. */
const B = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
/** Each minute's two samples: at 20 s and at 50 s, of different values (their mean is neither). */
const SAMPLE_SECONDS = [20, 50];
const value = (minute: number, h: number, second: number) =>
  50 + 10 * h + 5 * Math.sin(minute / 7) + (minute % 5) + (second === 50 ? 3 + (minute % 3) : 0);

let influx: InfluxDBServer;
let prometheus: RemoteWriteTarget;
const writers: AnomalyWriter[] = [];

/** Line protocol of minutes [from, to] of every host (ms timestamps). */
function lines(from: number, to: number, measurement = 'cpu'): string[] {
  const out: string[] = [];
  for (let m = from; m <= to; m++) {
    for (const [h, host] of HOSTS.entries()) {
      for (const s of SAMPLE_SECONDS) {
        out.push(`${measurement},host=${host} value=${value(m, h, s)} ${B + m * MINUTE + s * 1000}`);
      }
    }
  }
  return out;
}

/** Input samples of minutes [from, to] "arrive" in InfluxDB. */
async function arrive(from: number, to: number, measurement: string): Promise<void> {
  const response = await fetch(`${influx.url}/write?db=tel&precision=ms`, {
    method: 'POST',
    body: lines(from, to, measurement).join('\n'),
  });
  if (!response.ok) {
    throw new Error(`InfluxDB write: HTTP ${response.status} ${await response.text()}`);
  }
}

beforeAll(async () => {
  [influx, prometheus] = await Promise.all([
    startInfluxDB({ database: 'tel', lines: lines(0, 200) }),
    startPrometheusReceiver(),
  ]);
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.close()));
  await Promise.all([influx?.stop(), prometheus?.stop()]);
});

function newWriter(run: string, nowMs: number, measurement = 'cpu', inferEvery = '1m') {
  const clock = { now: nowMs };
  let log = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk) => (log += chunk));
  const statement = `SELECT mean(value) FROM ${measurement} WHERE $timeFilter GROUP BY time($interval), host`;
  const config = parseWriterConfig(
    [
      'listen: 127.0.0.1:0',
      'defaultUpstream: tsdb',
      'upstreams:',
      `  tsdb: { type: prometheus, url: ${prometheus.url} }`,
      `  influx: { type: influxdb, url: ${influx.url}, influx: { database: tel } }`,
      `remoteWrite: { url: ${prometheus.writeUrl}, readBack: tsdb, externalLabels: { run: ${run} } }`,
      'workers: { training: 0 }',
      'log: { level: info }',
      'jobs:',
      '  - name: ix',
      `    query: ${JSON.stringify(`influxql(${JSON.stringify(statement)})`)}`,
      '    options: { window: 6, trees: 20, step: 1m, upstream: influx }',
      `    schedule: { infer_every: ${inferEvery}, fit_every: 1h, fit_window: 1h, delay: 10s }`,
    ].join('\n'),
    'influxql test'
  );
  const writer = new AnomalyWriter(config, { now: () => clock.now, logStream });
  writers.push(writer);
  return { writer, clock, logLines: () => jsonLogLines(log) };
}

/** Every written anomaly_score sample of `run`, per host: [minute since B, score], after the queue was sent. */
async function written(writer: AnomalyWriter, run: string): Promise<Record<string, Array<[number, number]>>> {
  await writer.flush();
  const series = await rawSamples(prometheus, `anomaly_score{run="${run}"}`, B + 10 * HOUR, 10 * 3600);
  return Object.fromEntries(
    series.map((s) => [s.labels.host, s.samples.map(([t, v]) => [(t - B) / MINUTE, v] as [number, number])])
  );
}

const minutes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const minutesOf = (samples: Record<string, Array<[number, number]>>) =>
  Object.fromEntries(Object.entries(samples).map(([host, s]) => [host, s.map(([m]) => m)]));

describe('the writer over InfluxQL', () => {
  it('scores each GROUP BY time bucket once it is whole, with its whole mean: live at infer_every = step, and in a backfill', async () => {
    // Live, a run a minute, 15 s past it (delay 10s): minute m - 1 is whole by then (its samples: m - 1 + 20 s, + 50 s).
    const live = newWriter('live', B + 121 * MINUTE + 15_000);
    await live.writer.resume();
    await live.writer.runJob('ix');
    for (let m = 122; m <= 150; m++) {
      live.clock.now = B + m * MINUTE + 15_000;
      await live.writer.runJob('ix');
    }
    const liveScores = await written(live.writer, 'live');
    // The first run scores its latest infer_every (minute 120), every later run the minute that became whole.
    expect(minutesOf(liveScores)).toEqual({ h1: minutes(120, 149), h2: minutes(120, 149) });
    // Each once: 30 minutes × 2 hosts × (score, flag, threshold).
    expect((await live.writer.sampleTotals()).queued).toBe(30 * 2 * 3);

    // A backfill over the fit time (minute 120) to minute 150: the minute before the fit and the range's end too.
    const back = newWriter('back', Date.now());
    await back.writer.backfill(B + 100 * MINUTE, B + 150 * MINUTE);
    const backScores = await written(back.writer, 'back');
    expect(minutesOf(backScores)).toEqual({ h1: minutes(100, 150), h2: minutes(100, 150) });
    // Live minutes, each scored at the end of its run's range, equal the backfill's, where each is inside its range
    // (whole however the range is read): the same means.
    for (const host of HOSTS) {
      const inBackfill = new Map(backScores[host]);
      expect(liveScores[host].map(([m, v]) => [m, v - inBackfill.get(m)!])).toEqual(
        minutes(120, 149).map((m) => [m, 0])
      );
    }
    expect(live.logLines().filter((line) => line.level >= 40)).toEqual([]);
  });
});
