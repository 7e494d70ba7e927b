/**
 * The built panel with a training range of previous days, in online mode, on real Prometheus data: it runs its
 * training queries through Grafana's datasource API (here answered from the real Prometheus, as the Prometheus
 * datasource would: each query at the request's interval, its start and end rounded down to it,
 * grafana/grafana pkg/promlib/models/query.go AlignTimeRange), and it flags exactly the points the alert rule it
 * writes flags when `telemetry-analyzer serve` (the anomaly proxy, as operators run it) answers that rule.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildAnomalyExpression } from '../../src/panels/anomaly/alerting/anomalyExpression';
import { withDefaults } from '../../src/panels/anomaly/options/defaults';
import { findFreePort } from '../support/freePort';
import { waitUntil } from '../support/waitUntil';
import { expect, test } from './fixtures';
import { queryPrometheusFrames } from './frames';
import { panelContainer, readAnomalyCount, renderAnomalyPanel } from './panelDriver';
import type { HostDataSourceQuery } from './host/dataSourceSrv';

const REPO_ROOT = resolve(__dirname, '..', '..');
const HOUR_MS = 3_600_000;
const STEP_MS = 60_000;
const EXPR = 'telemetry_cpu_usage_percent';

test('a training range of previous days: the panel queries it at its own step and flags what its alert rule flags', async ({
  host,
  prometheus,
  scenario,
}) => {
  // A proxy to start, a panel to score: three times the default time on a busy machine.
  test.slow();
  // The proxy as operators run it (the built workspaces: `npm run build:pkg`), over the same Prometheus.
  expect(existsSync(join(REPO_ROOT, 'pkg', 'cli', 'dist', 'main.js')), 'pkg/cli/dist: run npm run build:pkg').toBe(
    true
  );
  const dir = mkdtempSync(join(tmpdir(), 'panel-training-'));
  const port = await findFreePort();
  writeFileSync(
    join(dir, 'proxy.yaml'),
    [
      `listen: 127.0.0.1:${port}`,
      'upstreams:',
      `  prom: { type: prometheus, url: "${prometheus.url}" }`,
      'log: { level: warn }',
    ].join('\n')
  );
  const proxy = spawn(
    process.execPath,
    ['pkg/cli/bin/telemetry-analyzer.js', 'serve', '--config', join(dir, 'proxy.yaml')],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    }
  );
  let output = '';
  proxy.stdout?.on('data', (chunk: Buffer) => (output += chunk));
  proxy.stderr?.on('data', (chunk: Buffer) => (output += chunk));
  try {
    await waitUntil(
      async () => ((await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined))?.ok ? true : undefined),
      {
        timeoutMs: 30_000,
        describe: () => `telemetry-analyzer serve to answer /healthz\n${output}`,
      }
    );

    // Up to 6 hours from 17 minutes past an hour, around an injected CPU anomaly late enough for 12 hours of
    // training before it (the scenario holds a day ending near now; its anomalies' times depend on the clock).
    const late = scenario.anomalies.filter(
      (a) => a.metrics.includes('cpu_usage_percent') && a.start >= scenario.fromMs + 15 * HOUR_MS
    );
    const around = late.length > 0 ? late[late.length - 1].start : scenario.toMs - 3 * HOUR_MS;
    const fromMs = Math.floor((around - 2 * HOUR_MS) / HOUR_MS) * HOUR_MS + 17 * 60_000;
    const toMs = Math.min(fromMs + 6 * HOUR_MS, scenario.toMs);
    const align = (ms: number, step: number) => Math.floor(ms / step) * step;
    const queries: HostDataSourceQuery[] = [];
    await host.page.exposeFunction('__hostDataSourceQuery', async (query: HostDataSourceQuery) => {
      queries.push(query);
      const step = query.intervalMs;
      return queryPrometheusFrames({
        url: prometheus.url,
        expr: EXPR,
        startMs: align(query.fromMs, step),
        endMs: align(query.toMs, step),
        stepMs: step,
      });
    });
    const frames = await queryPrometheusFrames({
      url: prometheus.url,
      expr: EXPR,
      startMs: align(fromMs, STEP_MS),
      endMs: align(toMs, STEP_MS),
      stepMs: STEP_MS,
    });
    const options = { online: true, contamination: 0.05, trees: 60, training: { kind: 'previous', previousDays: 0.5 } };
    await host.open();
    await renderAnomalyPanel(host.page, {
      frames,
      fromMs,
      toMs,
      options,
      queryRequest: {
        targets: [{ refId: 'A', expr: EXPR, datasource: { uid: 'prom', type: 'prometheus' } } as never],
        intervalMs: STEP_MS,
      },
      datasources: [{ uid: 'prom', name: 'Prometheus', type: 'prometheus', isDefault: true }],
    });
    await expect(panelContainer(host.page)).toHaveAttribute('data-state', 'ready', { timeout: 120_000 });

    // One training query, at the panel's own step, ending at the visible range: online, the 12 hours before the
    // hour its query starts in, and the points from that hour on.
    const hour = align(fromMs, HOUR_MS);
    expect(queries.map((q) => [q.fromMs, q.toMs, q.intervalMs])).toEqual([[hour - 12 * HOUR_MS, fromMs, STEP_MS]]);

    // The rule the panel writes, answered by the proxy over the same range: the same flags.
    const rule = buildAnomalyExpression({ language: 'promql', expr: EXPR }, withDefaults(options as never), {
      visibleRangeMs: toMs - fromMs,
      stepMs: STEP_MS,
    });
    const answer = await fetch(`http://127.0.0.1:${port}/api/v1/query_range`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        query: rule,
        start: String(align(fromMs, STEP_MS) / 1000),
        end: String(align(toMs, STEP_MS) / 1000),
        step: '60',
      }),
    });
    const body = (await answer.json()) as { data: { result: Array<{ values: Array<[number, string]> }> } };
    const flaggedByRule = body.data.result.reduce(
      (n, series) => n + series.values.filter(([, value]) => value === '1').length,
      0
    );
    expect(flaggedByRule).toBeGreaterThan(0);
    expect(await readAnomalyCount(host.page)).toBe(flaggedByRule);
    expect(host.errors).toEqual([]);
  } finally {
    proxy.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
