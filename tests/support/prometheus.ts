import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from './freePort';
import { MetricSeries, toOpenMetricsText } from './openMetrics';
import { ServerProcess, startServerProcess } from './serverProcess';
import { removeTempDir, startInTempDir } from './tempDir';
import { waitUntil } from './waitUntil';

/**
 * A target Prometheus scrapes. Its samples continue the backfilled series of the same name and labels:
 * exposition labels win (honor_labels) and the `instance` label Prometheus would add is dropped.
 */
export interface ScrapeTarget {
  job: string;
  /** host:port serving /metrics. */
  address: string;
  /** Default 1 s, so tests see new values quickly. */
  intervalSeconds?: number;
}

export interface PrometheusOptions {
  /** Backfilled with promtool before Prometheus starts; must lie in the past (and within the last 30 days). */
  series: MetricSeries[];
  scrapeTargets?: ScrapeTarget[];
}

export interface PrometheusServer {
  /** e.g. http://127.0.0.1:39123 (no trailing slash). */
  url: string;
  port: number;
  /** Stops the process and deletes its data. */
  stop(): Promise<void>;
  /** Stops the process only: the port goes dark, the data dir stays for startProcess(). */
  stopProcess(): Promise<void>;
  /** Starts Prometheus again on the same port and data dir (after stopProcess()). */
  startProcess(): Promise<void>;
  outputTail(): string;
}

const run = promisify(execFile);

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  return startInTempDir('prometheus', async (dir) => {
    const dataDir = join(dir, 'data');
    await backfill(options.series, dir, dataDir);

    const configFile = join(dir, 'prometheus.yml');
    writeFileSync(configFile, prometheusConfig(options.scrapeTargets ?? []));
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const launch = {
      name: 'prometheus',
      command: 'prometheus',
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${dataDir}`,
        // Retention counts back from the newest sample; 30 days keeps all backfilled days.
        '--storage.tsdb.retention.time=30d',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      readyUrl: `${url}/-/ready`,
    };

    let running: ServerProcess | undefined = await startServerProcess(launch);
    await waitForBackfilledSeries(url, options.series, () => running?.outputTail() ?? '');

    return {
      url,
      port,
      outputTail: () => running?.outputTail() ?? '',
      async stopProcess() {
        await running?.stop();
        running = undefined;
      },
      async startProcess() {
        if (running !== undefined) {
          throw new Error('prometheus is already running; call stopProcess() first');
        }
        running = await startServerProcess(launch);
      },
      async stop() {
        await running?.stop();
        running = undefined;
        removeTempDir(dir);
      },
    };
  });
}

/**
 * Writes the series as OpenMetrics and turns them into TSDB blocks with promtool. promtool cuts 2 h blocks
 * whose max time is the last sample, so Prometheus still accepts scraped samples newer than the backfill.
 */
async function backfill(series: MetricSeries[], dir: string, dataDir: string): Promise<void> {
  if (series.length === 0) {
    return;
  }
  const inputFile = join(dir, 'backfill.om.txt');
  writeFileSync(inputFile, toOpenMetricsText(series));
  try {
    await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', '--quiet', inputFile, dataDir], {
      maxBuffer: 16 * 1024 * 1024,
    });
  } catch (error) {
    const { stderr, stdout, message } = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`promtool could not backfill ${inputFile}: ${message}\n${stderr ?? ''}${stdout ?? ''}`);
  }
}

function prometheusConfig(targets: ScrapeTarget[]): string {
  const scrapeConfigs = targets.map((target) =>
    [
      `  - job_name: ${JSON.stringify(target.job)}`,
      `    scrape_interval: ${target.intervalSeconds ?? 1}s`,
      `    scrape_timeout: ${target.intervalSeconds ?? 1}s`,
      '    honor_labels: true',
      `    static_configs: [{ targets: [${JSON.stringify(target.address)}] }]`,
      '    metric_relabel_configs: [{ action: labeldrop, regex: instance }]',
    ].join('\n')
  );
  return (
    ['global:', '  scrape_interval: 15s', 'scrape_configs:', ...(scrapeConfigs.length ? scrapeConfigs : ['  []'])].join(
      '\n'
    ) + '\n'
  );
}

/** Blocks load before /-/ready, but only a query proves the backfill is what Prometheus serves. */
async function waitForBackfilledSeries(url: string, series: MetricSeries[], outputTail: () => string): Promise<void> {
  const nonEmpty = series.filter((one) => Array.from(one.values).some((value) => !Number.isNaN(value)));
  if (nonEmpty.length === 0) {
    return;
  }
  const times = nonEmpty.flatMap((one) => [one.timestampsMs[0], one.timestampsMs[one.timestampsMs.length - 1]]);
  const query = new URLSearchParams({
    'match[]': '{__name__=~".+"}',
    start: String(Math.min(...times) / 1000),
    end: String(Math.max(...times) / 1000),
  });
  let found = 0;
  await waitUntil(
    async () => {
      const response = await fetch(`${url}/api/v1/series?${query}`);
      const body = (await response.json()) as { data?: unknown[] };
      found = body.data?.length ?? 0;
      return found >= nonEmpty.length ? true : undefined;
    },
    {
      timeoutMs: 20_000,
      describe: () =>
        `prometheus at ${url} to serve the ${nonEmpty.length} backfilled series (it serves ${found})\n${outputTail()}`,
    }
  );
}
