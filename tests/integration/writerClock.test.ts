/**
 * The writer's clock set 2 h ahead and then back, against Prometheus 2.42 (its remote-write receiver holds both the
 * input, sent here as it "arrives", and what the writer writes): a run never scores past the input's newest sample,
 * though PromQL's lookback answers the steps after it with that sample repeated, and nothing is left out when the
 * clock goes back; a writer restarted with its clock behind what the target holds says so and goes on from there.
 * Runs are driven with the writer's clock (its `now` option); every wait is for a state.
 */
import { AnomalyWriter, RemoteWriteClient, parseWriterConfig } from '@telemetry-analyzer/writer';
import { PassThrough } from 'node:stream';
import { RemoteWriteTarget, rawSamples, startPrometheusReceiver } from '../support/remoteWriteTargets';
import { jsonLogLines } from './stackProcesses';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const HOSTS = ['h1', 'h2'];
/** Minute 0 of the input; its samples come 20 s into each minute, off the step grid. */
const B = Math.floor(Date.now() / HOUR) * HOUR - 5 * HOUR;
const sampleAt = (minute: number) => B + minute * MINUTE + 20_000;

let prometheus: RemoteWriteTarget;
let input: RemoteWriteClient;
const writers: AnomalyWriter[] = [];

beforeAll(async () => {
  prometheus = await startPrometheusReceiver();
  input = new RemoteWriteClient(
    {
      url: prometheus.writeUrl,
      timeoutMs: 30_000,
      auth: {},
      batchSamples: 1000,
      queueSamples: 100_000,
      minBackoffMs: 50,
      maxBackoffMs: 500,
    },
    {
      onSent: () => undefined,
      onRetry: () => undefined,
      onRejected: () => undefined,
      onDropped: () => undefined,
      onQueueChange: () => undefined,
    }
  );
});

afterAll(async () => {
  await Promise.all(writers.map((w) => w.close()));
  await input?.close(10_000);
  await prometheus?.stop();
});

/** Input samples for minutes [from, to] of every host: what "arrives" by then. */
async function arrive(from: number, to: number): Promise<void> {
  const minutes = Array.from({ length: to - from + 1 }, (_, i) => from + i);
  await input.enqueue(
    HOSTS.map((host, h) => ({
      labels: [
        { name: '__name__', value: 'clock_input' },
        { name: 'host', value: host },
      ],
      timestamps: minutes.map(sampleAt),
      values: minutes.map((m) => 50 + 10 * h + 5 * Math.sin(m / 7) + (m % 5)),
    })),
    false
  );
  await input.flush();
}

function newWriter(nowMs: number) {
  const clock = { now: nowMs };
  let log = '';
  const logStream = new PassThrough();
  logStream.on('data', (chunk) => (log += chunk));
  const config = parseWriterConfig(
    [
      'listen: 127.0.0.1:0',
      'defaultUpstream: tsdb',
      `upstreams: { tsdb: { type: prometheus, url: ${prometheus.url} } }`,
      `remoteWrite: { url: ${prometheus.writeUrl}, readBack: tsdb, externalLabels: { run: clock } }`,
      'workers: { training: 0 }',
      'log: { level: info }',
      'jobs:',
      '  - name: clock',
      '    query: clock_input',
      '    options: { window: 6, trees: 20, step: 1m }',
      '    schedule: { infer_every: 5m, fit_every: 1h, fit_window: 1h }',
    ].join('\n'),
    'clock test'
  );
  const writer = new AnomalyWriter(config, { now: () => clock.now, logStream });
  writers.push(writer);
  return { writer, clock, logLines: () => jsonLogLines(log) };
}

/** The minutes (since B) of every written anomaly_score sample, per host, after the writer's queue was sent. */
async function writtenMinutes(writer: AnomalyWriter): Promise<Record<string, number[]>> {
  await writer.flush();
  const series = await rawSamples(prometheus, 'anomaly_score{run="clock"}', B + 10 * HOUR, 10 * 3600);
  return Object.fromEntries(series.map((s) => [s.labels.host, s.samples.map(([t]) => (t - B) / MINUTE)]));
}

const minutes = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('the writer when its clock jumps', () => {
  it('scores up to the input newest sample with the clock 2 h ahead, and leaves no gap when it goes back; restarted behind what it wrote, it says so and goes on from there', async () => {
    await arrive(0, 180); // the newest sample: minute 180 + 20 s
    const w = newWriter(B + 180 * MINUTE + 40_000);
    await w.writer.resume();
    await w.writer.runJob('clock');
    expect(await writtenMinutes(w.writer)).toEqual({ h1: minutes(176, 180), h2: minutes(176, 180) });

    // 2 h ahead: Prometheus answers minutes 181-185 with the sample of 180 (its 5-minute lookback); none is scored.
    w.clock.now += 2 * HOUR;
    await w.writer.runJob('clock');
    expect(await writtenMinutes(w.writer)).toEqual({ h1: minutes(176, 180), h2: minutes(176, 180) });

    // Back, and the input goes on arriving: its minutes after 180 are scored, none left out.
    w.clock.now = B + 190 * MINUTE + 40_000;
    await arrive(181, 190);
    await w.writer.runJob('clock');
    expect(await writtenMinutes(w.writer)).toEqual({ h1: minutes(176, 190), h2: minutes(176, 190) });
    expect(w.logLines().filter((line) => line.level >= 40)).toEqual([]);

    // A writer restarted with its clock 40 minutes behind what the target holds: said once, nothing written...
    const restarted = newWriter(B + 150 * MINUTE);
    await restarted.writer.resume();
    await restarted.writer.runJob('clock');
    restarted.clock.now += 5 * MINUTE;
    await restarted.writer.runJob('clock');
    expect(await writtenMinutes(restarted.writer)).toEqual({ h1: minutes(176, 190), h2: minutes(176, 190) });
    const behind = restarted.logLines().filter((line) => line.level >= 40);
    expect(behind).toEqual([
      expect.objectContaining({
        job: 'clock',
        lastScored: new Date(B + 190 * MINUTE).toISOString(),
        until: new Date(B + 150 * MINUTE).toISOString(), // its first run's now - delay: said once
        msg: expect.stringMatching(/^the clock is behind the last scored point/),
      }),
    ]);
    // ...until its clock passes it: it goes on from there, each point once.
    restarted.clock.now = B + 195 * MINUTE + 40_000;
    await arrive(191, 195);
    await restarted.writer.runJob('clock');
    expect(await writtenMinutes(restarted.writer)).toEqual({ h1: minutes(176, 195), h2: minutes(176, 195) });
    expect(restarted.logLines().map((line) => line.msg)).toContain(
      'the clock passed the last scored point: scoring again'
    );
  });
});
