/**
 * Starts the anomaly proxy (pkg/proxy) the way an operator would: a YAML config through parseConfig, then
 * startProxy on a free port of 127.0.0.1. Its JSON log lines are kept in memory for failure messages.
 */
import { PassThrough } from 'node:stream';
import { parseConfig, startProxy } from '../../pkg/proxy/src/index';

export interface ProxyUnderTestOptions {
  /** Base URL of the Prometheus upstream "prom" (the default upstream). */
  prometheusUrl: string;
  /** Base URL and database of the InfluxDB upstream "influx", if any, and the user the proxy reads as. */
  influx?: { url: string; database: string; user?: { username: string; password: string } };
  /** Per-request upstream timeout, e.g. "2s" [the proxy's default]. */
  upstreamTimeout?: string;
  /** Directory for trained models; without it they live in memory. */
  modelStoreDirectory?: string;
  /** modelStore.maxBytes [the proxy's default]. */
  modelStoreMaxBytes?: number;
  /** Request body limit, bytes [the proxy's default]. */
  bodyLimit?: number;
  /** Further `limits` keys, e.g. { maxTrees: 50, queryTimeout: '5s' } [the proxy's defaults]. */
  limits?: Record<string, number | string>;
  /** Incoming auth: clients must send one of these bearer tokens (except on the allow-listed routes). */
  bearerTokens?: string[];
  /** Incoming auth: basic-auth users clients may send instead. */
  basicUsers?: Array<{ username: string; password: string }>;
  /** Further top-level config, as YAML lines (e.g. `server: { idleTimeout: 2s }`). */
  extraYaml?: string[];
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
    if (options.influx.user) {
      const { username, password } = options.influx.user;
      lines.push(
        `    auth: { basic: { username: ${JSON.stringify(username)}, password: ${JSON.stringify(password)} } }`
      );
    }
    if (options.upstreamTimeout) {
      lines.push(`    timeout: ${options.upstreamTimeout}`);
    }
  }
  if (options.modelStoreDirectory) {
    const maxBytes = options.modelStoreMaxBytes === undefined ? '' : `, maxBytes: ${options.modelStoreMaxBytes}`;
    lines.push(`modelStore: { directory: ${JSON.stringify(options.modelStoreDirectory)}${maxBytes} }`);
  }
  const limits = { ...options.limits, ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}) };
  if (Object.keys(limits).length > 0) {
    lines.push(`limits: ${JSON.stringify(limits)}`);
  }
  if (options.bearerTokens || options.basicUsers) {
    const auth = { bearerTokens: options.bearerTokens ?? [], basicUsers: options.basicUsers ?? [] };
    lines.push(`auth: ${JSON.stringify(auth)}`);
  }
  lines.push(...(options.extraYaml ?? []));
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
