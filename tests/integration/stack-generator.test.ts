// `telemetry-analyzer generate` against the real servers: Prometheus backfilled from its OpenMetrics file and
// scraping its /metrics, InfluxDB receiving its backfill and its live writes, and the scheduled anomaly it logs
// landing in the data.
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { findFreePort } from '../support/freePort';
import { startInfluxDB, InfluxDBServer } from '../support/influxdb';
import { startPrometheus, PrometheusServer } from '../support/prometheus';
import { ServerProcess } from '../support/serverProcess';
import { makeTempDir, removeTempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitUntil';
import { repoPath } from './stackFiles';
import { jsonLogLines, parseOpenMetrics, runNode, startNode } from './stackProcesses';
import { buildWorkspaces } from '../../pkg/buildWorkspaces';

const CLI = repoPath('pkg/cli/bin/telemetry-analyzer.js');
const HOSTS = ['host-a', 'host-b', 'host-c'];
const STEP_MS = 5_000;
const BACKFILL_MS = 2 * 3_600_000;

type PromVector = { data: { result: Array<{ metric: Record<string, string>; value: [number, string] }> } };

async function promQuery(
  prometheus: PrometheusServer,
  query: string,
  timeSeconds?: number
): Promise<PromVector['data']['result']> {
  const params = new URLSearchParams({ query, ...(timeSeconds === undefined ? {} : { time: String(timeSeconds) }) });
  const response = await fetch(`${prometheus.url}/api/v1/query?${params}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as PromVector).data.result;
}

describe('telemetry-analyzer generate', () => {
  let dir: string;
  let influx: InfluxDBServer | undefined;
  let prometheus: PrometheusServer | undefined;
  let generator: ServerProcess | undefined;

  beforeAll(() => {
    buildWorkspaces();
    dir = makeTempDir('generate');
  });

  afterAll(async () => {
    await generator?.stop();
    await prometheus?.stop();
    await influx?.stop();
    removeTempDir(dir);
  });

  it('writes the same history to InfluxDB and OpenMetrics, serves /metrics for Prometheus, and injects the anomaly it logs', async () => {
    influx = await startInfluxDB({ database: 'telemetry', lines: [] });
    const common = [
      'generate',
      `--hosts=${HOSTS.join(',')}`,
      '--seed=11',
      `--step=${STEP_MS / 1000}s`,
      '--backfill=2h',
    ];

    // The one-shot backfill (the compose stack's telemetry-backfill service) ...
    const openMetricsFile = join(dir, 'history.om');
    const oneShotLog = jsonLogLines(await runNode([CLI, ...common, `--openmetrics-file=${openMetricsFile}`]));
    expect(oneShotLog.map((line) => line.msg)).toEqual(['wrote the OpenMetrics backfill', 'stopped']);
    const history = parseOpenMetrics(readFileSync(openMetricsFile, 'utf8'));
    expect(history).toHaveLength(HOSTS.length * 5);
    for (const series of history) {
      expect(series.labels).toEqual({ host: expect.stringMatching(/^host-[abc]$/), job: 'telemetry' });
      expect(series.timestampsMs.length).toBe(BACKFILL_MS / STEP_MS);
    }

    // ... and the live generator, started separately, which backfills InfluxDB itself.
    const port = await findFreePort();
    generator = await startNode(
      'generate',
      [
        CLI,
        ...common,
        `--listen=127.0.0.1:${port}`,
        `--influx-url=${influx.url}`,
        '--anomaly-every=1m',
        '--anomaly-duration=30s',
        '--first-anomaly-after=0s',
        '--anomaly-kinds=cpu_spike',
      ],
      `http://127.0.0.1:${port}/healthz`
    );
    prometheus = await startPrometheus({
      series: history,
      scrapeTargets: [{ job: 'telemetry', address: `127.0.0.1:${port}`, intervalSeconds: 1 }],
    });

    // Both processes computed the same values for the same times: a backfilled sample in Prometheus equals the
    // point the live process wrote to InfluxDB at that time.
    const cpuA = history.find((s) => s.metric === 'cpu_usage_percent' && s.labels.host === 'host-a')!;
    const probeMs = cpuA.timestampsMs[100];
    const fromProm = await promQuery(prometheus, 'cpu_usage_percent{host="host-a"}', probeMs / 1000);
    const fromInflux = await waitUntil(
      async () => {
        const answer = await influx!.query(
          `SELECT cpu_usage_percent FROM telemetry WHERE host = 'host-a' AND time = ${probeMs}ms`
        );
        return answer.results[0].series?.[0].values[0];
      },
      {
        timeoutMs: 30_000,
        describe: () => `the InfluxDB backfill at ${new Date(probeMs).toISOString()}\n${generator!.outputTail()}`,
      }
    );
    expect(fromProm).toEqual([
      {
        metric: { __name__: 'cpu_usage_percent', host: 'host-a', job: 'telemetry' },
        value: [probeMs / 1000, String(fromInflux[1])],
      },
    ]);
    expect(cpuA.values[100]).toBe(fromInflux[1]);

    // Scraped samples continue the backfilled series: still one series per host, now with samples after the backfill.
    const lastBackfillSeconds = cpuA.timestampsMs[cpuA.timestampsMs.length - 1] / 1000;
    const live = await waitUntil(
      async () => {
        const result = await promQuery(
          prometheus!,
          `cpu_usage_percent and timestamp(cpu_usage_percent) > ${lastBackfillSeconds + STEP_MS / 1000}`
        );
        return result.length === HOSTS.length ? result : undefined;
      },
      { timeoutMs: 30_000, describe: () => `scraped samples newer than the backfill\n${prometheus!.outputTail()}` }
    );
    expect(live.map((s) => s.metric.host).sort()).toEqual(HOSTS);
    expect(await promQuery(prometheus, 'count(count_over_time(cpu_usage_percent[3h]))')).toEqual([
      { metric: {}, value: [expect.any(Number), String(HOSTS.length)] },
    ]);

    // The first anomaly (a CPU spike on host-a) is logged when it starts, and InfluxDB gets the anomalous values.
    const injected = await waitUntil(
      async () => jsonLogLines(generator!.outputTail()).find((line) => line.msg === 'anomaly injected'),
      { timeoutMs: 30_000, describe: () => `an "anomaly injected" log line\n${generator!.outputTail()}` }
    );
    expect(injected).toEqual(
      expect.objectContaining({
        kind: 'cpu_spike',
        host: 'host-a',
        metrics: ['cpu_usage_percent', 'network_latency_ms'],
      })
    );
    const startMs = Date.parse(injected.start);
    expect(Date.parse(injected.end) - startMs).toBe(30_000);
    const duringAnomaly = await waitUntil(
      async () => {
        const answer = await influx!.query(
          `SELECT cpu_usage_percent FROM telemetry WHERE time >= ${startMs}ms AND time < ${startMs + 2 * STEP_MS}ms GROUP BY host`
        );
        const series = answer.results[0].series ?? [];
        return series.length === HOSTS.length && series.every((s) => s.values.length === 2) ? series : undefined;
      },
      { timeoutMs: 30_000, describe: () => `the first anomalous steps in InfluxDB\n${generator!.outputTail()}` }
    );
    const cpuByHost = Object.fromEntries(duringAnomaly.map((s) => [s.tags!.host, s.values.map((v) => v[1] as number)]));
    // A spike is 97 ± noise; the normal model stays far below (25% + up to 35% of daily load).
    expect(cpuByHost['host-a'].every((cpu) => cpu > 90)).toBe(true);
    expect(cpuByHost['host-b'].every((cpu) => cpu < 80)).toBe(true);
    expect(cpuByHost['host-c'].every((cpu) => cpu < 80)).toBe(true);

    // SIGTERM ends it cleanly.
    await generator.stop();
    expect(jsonLogLines(generator.outputTail()).at(-1)?.msg).toBe('stopped');
  });

  it('refuses options it cannot honour, naming the option', async () => {
    await expect(runNode([CLI, 'generate'])).rejects.toThrow(
      /nothing to do: give --listen, --influx-url and\/or --openmetrics-file/
    );
    await expect(runNode([CLI, 'generate', '--openmetrics-file=x.om'])).rejects.toThrow(
      /--openmetrics-file: holds the --backfill history/
    );
    await expect(
      runNode([CLI, 'generate', '--listen=127.0.0.1:0', '--anomaly-every=1m', '--anomaly-duration=2m'])
    ).rejects.toThrow(/--anomaly-duration: must not exceed --anomaly-every/);
    await expect(
      runNode([CLI, 'generate', '--listen=127.0.0.1:0', '--anomaly-kinds=cpu_spike,meltdown'])
    ).rejects.toThrow(/unknown kind "meltdown"/);
    await expect(runNode([CLI, 'generate', '--listen=127.0.0.1:0', '--step=10'])).rejects.toThrow(
      /--step: expected a duration/
    );
    // A port in use: the flag and the reason, as serve and run say it for their config's listen (was "internal error").
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const { port } = taken.address() as AddressInfo;
    try {
      await expect(runNode([CLI, 'generate', `--listen=127.0.0.1:${port}`])).rejects.toThrow(
        new RegExp(`--listen: 127\\.0\\.0\\.1:${port} is already in use`)
      );
    } finally {
      taken.close();
    }
  });
});

describe('telemetry-analyzer generate into an InfluxDB with auth', () => {
  let influx: InfluxDBServer | undefined;
  let generator: ServerProcess | undefined;

  afterAll(async () => {
    await generator?.stop();
    await influx?.stop();
  });

  it("writes with the URL's credentials (as Basic auth), and never prints the password", async () => {
    // A review: fetch refused the URL (it holds credentials) and the error printed it, password and all, twice.
    const password = 'S3cret:pass@word';
    influx = await startInfluxDB({
      database: 'telemetry',
      lines: [],
      auth: { admin: { username: 'admin', password }, readers: [] },
    });
    const target = new URL(influx.url);
    target.username = 'admin';
    target.password = password; // percent-encoded in the URL, as a user would write it
    const port = await findFreePort();
    generator = await startNode(
      'generate',
      [
        CLI,
        'generate',
        '--hosts=host-a',
        '--step=5s',
        '--backfill=5m',
        `--listen=127.0.0.1:${port}`,
        `--influx-url=${target.href}`,
      ],
      `http://127.0.0.1:${port}/healthz`
    );
    const points = await waitUntil(
      async () => {
        const answer = await influx!.query('SELECT count(cpu_usage_percent) FROM telemetry');
        const count = answer.results[0].series?.[0].values[0][1];
        return typeof count === 'number' && count >= 60 ? count : undefined;
      },
      { timeoutMs: 30_000, describe: () => `the backfill in InfluxDB\n${generator!.outputTail()}` }
    );
    expect(points).toBeGreaterThanOrEqual(60);
    const output = generator.outputTail();
    expect(output).not.toContain('S3cret');
    expect(output).not.toContain(encodeURIComponent(password));
  });
});
