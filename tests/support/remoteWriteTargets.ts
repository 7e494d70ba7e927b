/**
 * TSDBs the writer remote-writes into, started on free ports of 127.0.0.1 in temp dirs: Prometheus 2.42 with its
 * remote-write receiver (and an out-of-order window, so history can be written in any order, as a backfill does) and
 * single-node VictoriaMetrics. Both answer the Prometheus query API the tests (and the writer's resume) read with.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from './freePort';
import { ServerProcess, startServerProcess } from './serverProcess';
import { removeTempDir, startInTempDir } from './tempDir';

export interface RemoteWriteTarget {
  kind: 'prometheus' | 'victoria-metrics';
  /** Query API base URL. */
  url: string;
  /** Where samples are remote-written to. */
  writeUrl: string;
  /** Stops the process only (the port goes dark); startProcess() brings it back with its data. */
  stopProcess(): Promise<void>;
  startProcess(): Promise<void>;
  stop(): Promise<void>;
  outputTail(): string;
  /**
   * Makes everything written so far searchable. VictoriaMetrics serves new samples only once it has flushed its
   * in-memory buffers (5.5-7 s after a write, measured here), which its /internal/force_flush does at once;
   * Prometheus serves its head at once.
   */
  flush(): Promise<void>;
}

export async function startPrometheusReceiver(): Promise<RemoteWriteTarget> {
  return startInTempDir('prometheus-rw', async (dir) => {
    const configFile = join(dir, 'prometheus.yml');
    // Samples days old and out of order: the window a backfill into Prometheus needs (docs/scale.md).
    writeFileSync(configFile, 'global: {}\nstorage:\n  tsdb:\n    out_of_order_time_window: 30d\n');
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const launch = {
      name: 'prometheus (remote-write receiver)',
      command: 'prometheus',
      args: [
        `--config.file=${configFile}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        '--storage.tsdb.retention.time=30d',
        '--web.enable-remote-write-receiver',
        `--web.listen-address=127.0.0.1:${port}`,
        '--log.level=warn',
      ],
      readyUrl: `${url}/-/ready`,
    };
    return managed('prometheus', url, `${url}/api/v1/write`, dir, launch);
  });
}

/**
 * @param basicAuth credentials it then requires on every request but /health (-httpAuth.*): a TSDB refusing a
 *   client's credentials answers 401 for real
 */
export async function startVictoriaMetrics(basicAuth?: {
  username: string;
  password: string;
}): Promise<RemoteWriteTarget> {
  return startInTempDir('victoria-metrics', async (dir) => {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const launch = {
      name: 'victoria-metrics',
      command: 'victoria-metrics',
      args: [
        `-storageDataPath=${join(dir, 'data')}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-retentionPeriod=1y',
        // Serve what was just written: no latency offset, no cached query answers.
        '-search.latencyOffset=0s',
        '-search.disableCache',
        '-loggerLevel=WARN',
        ...(basicAuth ? [`-httpAuth.username=${basicAuth.username}`, `-httpAuth.password=${basicAuth.password}`] : []),
      ],
      readyUrl: `${url}/health`,
    };
    return managed('victoria-metrics', url, `${url}/api/v1/write`, dir, launch);
  });
}

async function managed(
  kind: RemoteWriteTarget['kind'],
  url: string,
  writeUrl: string,
  dir: string,
  launch: Parameters<typeof startServerProcess>[0]
): Promise<RemoteWriteTarget> {
  let running: ServerProcess | undefined = await startServerProcess(launch);
  return {
    kind,
    url,
    writeUrl,
    outputTail: () => running?.outputTail() ?? '',
    async flush() {
      if (kind === 'victoria-metrics' && running) {
        const response = await fetch(`${url}/internal/force_flush`);
        if (!response.ok) {
          throw new Error(`victoria-metrics force_flush: HTTP ${response.status}`);
        }
      }
    },
    async stopProcess() {
      await running?.stop();
      running = undefined;
    },
    async startProcess() {
      running ??= await startServerProcess(launch);
    },
    async stop() {
      await running?.stop();
      running = undefined;
      removeTempDir(dir);
    },
  };
}

export interface RawSeries {
  labels: Record<string, string>;
  samples: Array<[number, number]>;
}

/** Raw samples of `selector` over (timeMs - windowSeconds, timeMs], as the TSDB stores them (all it has been sent). */
export async function rawSamples(
  target: Pick<RemoteWriteTarget, 'url' | 'flush'>,
  selector: string,
  timeMs: number,
  windowSeconds: number
): Promise<RawSeries[]> {
  await target.flush();
  const response = await fetch(`${target.url}/api/v1/query`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ query: `${selector}[${windowSeconds}s]`, time: String(timeMs / 1000) }),
  });
  const body = (await response.json()) as {
    status: string;
    error?: string;
    data: { result: Array<{ metric: Record<string, string>; values: Array<[number, string]> }> };
  };
  if (body.status !== 'success') {
    throw new Error(`${selector}: ${body.error}`);
  }
  return body.data.result.map((r) => ({
    labels: r.metric,
    samples: r.values.map(([t, v]) => [Math.round(t * 1000), Number(v)] as [number, number]),
  }));
}
