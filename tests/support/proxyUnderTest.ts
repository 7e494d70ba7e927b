/**
 * Starts the anomaly proxy (pkg/proxy) the way an operator would: a YAML config through parseConfig, then
 * startProxy on a free port of 127.0.0.1. Its JSON log lines are kept in memory for failure messages.
 */
import { PassThrough } from 'node:stream';
import { parseConfig, startProxy } from '../../pkg/proxy/src/index';

export interface ProxyUnderTestOptions {
  /** Base URL of the Prometheus upstream "prom" (the default upstream). */
  prometheusUrl: string;
  /** Base URL and database of the InfluxDB upstream "influx", if any. */
  influx?: { url: string; database: string };
  /** Per-request upstream timeout, e.g. "2s" [the proxy's default]. */
  upstreamTimeout?: string;
  /** Directory for trained models; without it they live in memory. */
  modelStoreDirectory?: string;
  /** Request body limit, bytes [the proxy's default]. */
  bodyLimit?: number;
}

export interface ProxyUnderTest {
  url: string;
  port: number;
  /** The proxy's log lines so far (JSON), newest last. */
  logTail(lines?: number): string;
  stop(): Promise<void>;
}

export function proxyConfigYaml(options: ProxyUnderTestOptions): string {
  const lines = [
    'listen: 127.0.0.1:0',
    'defaultUpstream: prom',
    'upstreams:',
    '  prom:',
    '    type: prometheus',
    `    url: ${options.prometheusUrl}`,
  ];
  if (options.upstreamTimeout) {
    lines.push(`    timeout: ${options.upstreamTimeout}`);
  }
  if (options.influx) {
    lines.push(
      '  influx:',
      '    type: influxdb',
      `    url: ${options.influx.url}`,
      `    influx: { database: ${options.influx.database} }`
    );
    if (options.upstreamTimeout) {
      lines.push(`    timeout: ${options.upstreamTimeout}`);
    }
  }
  if (options.modelStoreDirectory) {
    lines.push(`modelStore: { directory: ${JSON.stringify(options.modelStoreDirectory)} }`);
  }
  if (options.bodyLimit !== undefined) {
    lines.push(`limits: { bodyLimit: ${options.bodyLimit} }`);
  }
  lines.push('log: { level: info }');
  return lines.join('\n') + '\n';
}

export async function startProxyUnderTest(options: ProxyUnderTestOptions): Promise<ProxyUnderTest> {
  const log: string[] = [];
  const logStream = new PassThrough();
  logStream.on('data', (chunk: Buffer) => {
    log.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    log.splice(0, Math.max(0, log.length - 500));
  });
  const config = parseConfig(proxyConfigYaml(options), 'integration test config');
  const proxy = await startProxy(config, { logStream });
  return {
    url: proxy.url,
    port: proxy.port,
    logTail: (lines = 30) => log.slice(-lines).join('\n'),
    stop: () => proxy.close(),
  };
}
