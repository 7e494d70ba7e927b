import { readFileSync } from 'fs';
import { join } from 'path';
import { ConfigError, parseWriterConfig } from '../src';

const upstreams = 'upstreams: { prom: { type: prometheus, url: "http://127.0.0.1:9090" } }\n';
const remoteWrite = 'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write" }\n';

function problems(yaml: string): string[] {
  try {
    parseWriterConfig(yaml, 'test');
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.problems;
    }
    throw error;
  }
  return [];
}

describe('writer config', () => {
  it("reads the compose stack's deploy/writer.yaml", () => {
    const text = readFileSync(join(__dirname, '../../../deploy/writer.yaml'), 'utf8');
    const config = parseWriterConfig(text, 'deploy/writer.yaml');
    expect(config.jobs.map((job) => [job.name, job.stepMs, job.schedule])).toEqual([
      [
        'cpu',
        60_000,
        {
          inferEveryMs: 60_000,
          fitEveryMs: 3_600_000,
          fitWindowMs: 86_400_000,
          delayMs: 30_000,
          seriesRefreshMs: 600_000, // the default
        },
      ],
    ]);
    expect(config.remoteWrite).toMatchObject({ url: 'http://prometheus:9090/api/v1/write', readBack: 'prometheus' });
    expect(config.jobs[0].output).toEqual({
      score: 'anomaly_score',
      flag: 'anomaly_flag',
      threshold: 'anomaly_threshold',
      jobLabel: 'anomaly_job',
    });
  });

  it("reads the compose stack's deploy/writer-vm.yaml: the same job, written into VictoriaMetrics and resumed from it", () => {
    const read = (file: string) =>
      parseWriterConfig(readFileSync(join(__dirname, '../../../deploy', file), 'utf8'), `deploy/${file}`);
    const vm = read('writer-vm.yaml');
    const prometheus = read('writer.yaml');
    expect(vm.jobs.map(({ name, query, optionsText, schedule }) => ({ name, query, optionsText, schedule }))).toEqual(
      prometheus.jobs.map(({ name, query, optionsText, schedule }) => ({ name, query, optionsText, schedule }))
    );
    expect(vm.remoteWrite).toMatchObject({
      url: 'http://victoria-metrics:8428/api/v1/write',
      readBack: 'victoria-metrics',
    });
    expect(vm.upstreams['victoria-metrics'].url).toBe('http://victoria-metrics:8428');
    expect(vm.defaultUpstream).toBe('prometheus');
  });

  it('turns a job into the anomaly grammar and judges it with the proxy parser', () => {
    const config = parseWriterConfig(
      upstreams +
        remoteWrite +
        'jobs: [{ name: h, query: "{job=\\"t\\"}", options: { by: [host, dc], contamination: auto, seasonality: false } }]\n',
      'test'
    );
    expect(config.jobs[0].optionsText).toBe('by="host,dc", contamination="auto", seasonality=false');
    expect(config.jobs[0].parsed.options).toMatchObject({
      by: ['host', 'dc'],
      contamination: 'auto',
      seasonality: false,
    });
  });

  it('reads series_refresh and remoteWrite.readBackSettle, and refuses a bad one by its key', () => {
    const config = parseWriterConfig(
      upstreams +
        'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", readBackSettle: 3s }\n' +
        'jobs: [{ name: a, query: cpu, schedule: { series_refresh: 2m } }]\n',
      'test'
    );
    expect(config.jobs[0].schedule.seriesRefreshMs).toBe(120_000);
    expect(config.remoteWrite.readBackSettleMs).toBe(3_000);
    expect(
      parseWriterConfig(upstreams + remoteWrite + 'jobs: [{ name: a, query: cpu }]\n', 'test').remoteWrite
    ).toMatchObject({
      readBackSettleMs: 60_000,
    });
    expect(
      problems(upstreams + remoteWrite + 'jobs: [{ name: a, query: cpu, schedule: { series_refresh: often } }]\n')
    ).toEqual([expect.stringMatching(/^jobs\[0\]\.schedule\.series_refresh: /)]);
  });

  it('takes no delay in any unit, and refuses a minBackoff above maxBackoff (a writer review: 0m refused, 20s > 1s taken)', () => {
    const delay = (value: string) =>
      parseWriterConfig(
        upstreams + remoteWrite + `jobs: [{ name: a, query: cpu, schedule: { delay: ${value} } }]\n`,
        'test'
      ).jobs[0].schedule.delayMs;
    expect(['0', '0s', '0m', '0h'].map(delay)).toEqual([0, 0, 0, 0]);
    expect(delay('45s')).toBe(45_000);
    expect(
      problems(
        upstreams +
          'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", minBackoff: 20s, maxBackoff: 1s }\n' +
          'jobs: [{ name: a, query: cpu }]\n'
      )
    ).toEqual(['remoteWrite.minBackoff: must not exceed maxBackoff (1000 ms), got 20000 ms']);
  });

  it('refuses schedules and queries that can never work, naming the job and the field; takes the edge of each bound', () => {
    const job = (schedule: string, query = 'cpu') =>
      upstreams + remoteWrite + `jobs: [{ name: a, query: ${JSON.stringify(query)}, schedule: { ${schedule} } }]\n`;
    expect(problems(job('delay: 400d'))).toEqual([
      'jobs[0].schedule.delay: job "a": 400d (with infer_every 1m) puts the newest written point further back than ' +
        'remoteWrite.resumeLookback (7d), as far as a restarted writer looks for it: every restart would start over, ' +
        'leaving a gap; lower delay or raise remoteWrite.resumeLookback',
    ]);
    for (const query of ['1+1', 'time()', 'vector(1)', 'scalar(2) * 3']) {
      expect(problems(job('', query))).toEqual([
        `jobs[0].query: job "a": ${JSON.stringify(query)} reads no series (no metric or {…} selector): its value is a ` +
          'scalar or a made-up series, never a series of data to score',
      ]);
    }
    // The edges, and queries that read series in every shape: taken.
    for (const [schedule, query] of [
      ['delay: 6d23h59m', 'cpu'],
      ['infer_every: 1h, fit_every: 1h', 'rate(http_requests_total[5m])'],
      // Longer than fit_every: each run scores the fit periods since the run before with their models, as a
      // backfill does (a review found 360 of 360 points equal to the backfill's); refused by mistake once.
      ['infer_every: 2h, fit_every: 1h', 'cpu'],
      ['delay: 1h', 'sum by (host) (rate({__name__="x", job="j"}[5m]))'],
      ['', '100 - avg by (instance) (irate(node_cpu_seconds_total{mode="idle"}[5m])) * 100'],
      ['', 'count offset 1m'],
    ]) {
      expect([schedule, query, problems(job(schedule, query))]).toEqual([schedule, query, []]);
    }
    // A longer delay is taken with the resume lookback that reaches it.
    expect(
      problems(
        upstreams +
          'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", resumeLookback: 30d }\n' +
          'jobs: [{ name: a, query: cpu, schedule: { delay: 20d } }]\n'
      )
    ).toEqual([]);
  });

  it('names every problem by its key', () => {
    expect(
      problems(
        upstreams +
          'remoteWrite: { url: "ftp://x", readBack: nope }\n' +
          'shard: "2/2"\n' +
          'output: { jobLabel: __x }\n' +
          'jobs: [{ name: a, query: "cpu", options: { train: 1d, trees: 0 }, schedule: { fit_every: 90s } }]\n'
      )
    ).toEqual([
      'output.jobLabel: not a valid label name: "__x"',
      'remoteWrite.url: must use http or https, got "ftp:"',
      'remoteWrite.readBack: must name a prometheus upstream (the TSDB written to), got "nope"',
      'shard: must be "i/N" with 0 <= i < N, got "2/2"',
      'jobs[0].options.train: set by the schedule (fit_window, fit_every): remove it',
      expect.stringMatching(/^jobs\[0\]\.query: not a valid anomaly query with its options: .*trees/),
    ]);
  });

  it('refuses outputs sharing a metric name, and external labels that are the writer’s own', () => {
    // Each was accepted: score and flag then interleaved in one series; anomaly_job overridden, resume never matched.
    expect(
      problems(
        upstreams +
          'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", externalLabels: { anomaly_job: other, __x: y } }\n' +
          'output: { score: anomaly, flag: anomaly }\n' +
          'jobs: [{ name: a, query: "cpu" }]\n'
      )
    ).toEqual([
      `output.flag: "anomaly" is output.score's name too: each output needs its own metric`,
      `remoteWrite.externalLabels.anomaly_job: "anomaly_job" is the writer's own label (output.jobLabel)`,
      `remoteWrite.externalLabels.__x: "__x": labels starting with "__" are reserved, and a TSDB may drop them (Mimir's HA tracker drops __replica__) where the writer reads back its samples by their labels (docs/scale.md, "Sharding and HA")`,
    ]);
  });

  it('refuses writer label names starting with exported_, which renamed input labels take', () => {
    expect(
      problems(
        upstreams +
          'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", externalLabels: { exported_cluster: eu1 } }\n' +
          'output: { jobLabel: exported_job }\n' +
          'jobs: [{ name: a, query: "cpu" }]\n'
      )
    ).toEqual([
      'output.jobLabel: "exported_job": names starting with "exported_" are kept for the input labels the writer renames',
      'remoteWrite.externalLabels.exported_cluster: "exported_cluster": names starting with "exported_" are kept for the input labels the writer renames',
    ]);
  });

  it('refuses a fit window that can never train, or holds more points than the limit, instead of failing every run', () => {
    const job = (schedule: string, options = '') =>
      problems(
        upstreams +
          remoteWrite +
          `jobs: [{ name: a, query: "cpu", options: { step: 1m${options} }, schedule: { ${schedule} } }]\n`
      );
    // A window of 12 (the default) has 11 warm-up rows, + 8: 19 points at least; window 30: 37.
    expect(job('fit_window: 1m, fit_every: 1m')).toEqual([
      "jobs[0].schedule.fit_window: 1m at step 1m is 1 training points per series; training needs at least 19 (the features' warm-up of window and lags, and 8 rows): lengthen fit_window or lower step",
    ]);
    expect(job('fit_window: 19m')).toEqual([]);
    expect(job('fit_window: 36m', ', window: 30')).toEqual([expect.stringMatching(/is 36 training .* at least 37 /)]);
    expect(job('fit_window: 37m', ', window: 30')).toEqual([]);
    expect(job('fit_window: 1000d')).toEqual([
      'jobs[0].schedule.fit_window: 1000d at step 1m is 1440000 training points per series; at most 100000 (limits.maxTrainingPointsPerSeries): shorten fit_window or raise step',
    ]);
  });

  it('places each problem in the file: the value of its key (names with dots too), else the mapping lacking it', () => {
    let error: ConfigError | undefined;
    try {
      parseWriterConfig(
        [
          'upstreams:',
          '  prom.eu: { type: prometheus, url: "ftp://x" }', // line 2: the url value at column 37
          'remoteWrite: { url: "http://127.0.0.1:9090/api/v1/write", readBack: prom.eu }',
          'defaultUpstream: prom.eu',
          'jobs:',
          '  - name: a', // line 6: jobs[0] lacks query: the item's mapping at column 5
        ].join('\n'),
        'w.yaml'
      );
    } catch (e) {
      error = e as ConfigError;
    }
    expect(error?.located).toEqual([
      'w.yaml:2:37: upstreams.prom.eu.url: must use http or https, got "ftp:"',
      'w.yaml:6:5: jobs[0].query: required (a non-empty string)',
      expect.stringMatching(/^w\.yaml:6:5: jobs\[0\]\.query: not a valid anomaly query/),
    ]);
    expect(error?.message).toContain('w.yaml:2:37: upstreams.prom.eu.url');
  });
});
