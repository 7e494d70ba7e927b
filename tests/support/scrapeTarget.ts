import { createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { formatLabels } from './openMetrics';

export interface ScrapeTargetServer {
  /** host:port, as a Prometheus static target. */
  address: string;
  /** Sets (or replaces) the value served for the series; the next scrape picks it up. */
  set(metric: string, labels: Record<string, string>, value: number): void;
  /** Number of /metrics requests answered so far. */
  scrapeCount(): number;
  stop(): Promise<void>;
}

/** A node:http /metrics endpoint in Prometheus text format whose gauge values the test changes while it runs. */
export async function startScrapeTarget(): Promise<ScrapeTargetServer> {
  const gauges = new Map<string, { metric: string; labels: Record<string, string>; value: number }>();
  let scrapes = 0;

  const server = createServer((request, response) => {
    if (request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    scrapes++;
    const declared = new Set<string>();
    const lines: string[] = [];
    // Grouped by metric: each family's samples follow its single TYPE line.
    const sorted = [...gauges.values()].sort((a, b) => a.metric.localeCompare(b.metric));
    for (const gauge of sorted) {
      if (!declared.has(gauge.metric)) {
        declared.add(gauge.metric);
        lines.push(`# TYPE ${gauge.metric} gauge`);
      }
      lines.push(`${gauge.metric}${formatLabels(gauge.labels)} ${gauge.value}`);
    }
    response.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' }).end(lines.join('\n') + '\n');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    address: `127.0.0.1:${port}`,
    set(metric, labels, value) {
      gauges.set(`${metric}${formatLabels(labels)}`, { metric, labels, value });
    },
    scrapeCount: () => scrapes,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
