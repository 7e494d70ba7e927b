// The whole alert path on real servers: Prometheus (backfilled history + a live scrape target) → proxy (with incoming
// auth) → vmalert, started with the flags docs/alerting.md documents, evaluating `anomaly_flag(...) > 0` →
// Alertmanager → webhook. The scrape target serves normal values,
// then an anomalous one for host-a (the alert must fire with the series' labels), then normal values again
// (the alert must resolve).
import { DEFAULT_RETRAIN_INTERVAL_MS } from '@telemetry-analyzer/query';
import { startAlertmanager } from '../support/alertmanager';
import { startPrometheus } from '../support/prometheus';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { startScrapeTarget } from '../support/scrapeTarget';
import { stopAfterEach } from '../support/stopAfterEach';
import { buildTelemetryDataset, JOB, toPrometheusSeries } from '../support/telemetryDataset';
import { startVmalert } from '../support/vmalert';
import { documentedVmalertFlags } from '../support/vmalertFlags';
import { waitUntil } from '../support/waitUntil';
import { startWebhookReceiver, WebhookAlert } from '../support/webhookReceiver';

const stopLater = stopAfterEach();
const PROXY_TOKEN = 'vmalert-token';

const ALERT_NAME = 'CpuAnomaly';
/**
 * Instant queries score the points at `time`, `time - step`, …; a 10 s step and a 2-point window let a change
 * in the live value show (and stop showing) within seconds instead of the minutes a 1 m step would take.
 */
const RULE_EXPRESSION =
  'anomaly_flag(cpu_usage_percent{job="telemetry"}, contamination=0.01, train="1d", step="10s", window=2, lags=0) > 0';
const RULES_YAML = `
groups:
  - name: telemetry-anomalies
    rules:
      - alert: ${ALERT_NAME}
        expr: ${JSON.stringify(RULE_EXPRESSION)}
        for: 0s
        labels: { severity: warning }
        annotations: { summary: 'Unusual CPU on {{ $labels.host }}' }
`;
/** A CPU stuck at 99 %: far above the daily cycle of the generated data (roughly 25–60 %). */
const STUCK_CPU_PERCENT = 99;

it('fires an alert labelled with the anomalous host while the anomaly lasts and resolves it after', async () => {
  const dataset = buildTelemetryDataset();
  // Live values continue each host's history at its last value: normal, and no jump the model could flag.
  const normalCpu = new Map(dataset.hosts.map(({ host, metrics }) => [host, metrics.cpu_usage_percent.at(-1)!]));
  const target = stopLater(await startScrapeTarget());
  const serveCpu = (host: string, value: number) => target.set('cpu_usage_percent', { host, job: JOB }, value);
  for (const [host, value] of normalCpu) {
    serveCpu(host, value);
  }

  const receiver = stopLater(await startWebhookReceiver());
  const alertmanager = stopLater(await startAlertmanager({ webhookUrl: receiver.url }));
  const prometheus = stopLater(
    await startPrometheus({
      series: toPrometheusSeries(dataset),
      scrapeTargets: [{ job: JOB, address: target.address, intervalSeconds: 1 }],
    })
  );
  const proxy = stopLater(await startProxyUnderTest({ prometheusUrl: prometheus.url, bearerTokens: [PROXY_TOKEN] }));
  const firstEvaluationMs = Date.now();
  const vmalert = stopLater(
    await startVmalert({
      rulesYaml: RULES_YAML,
      datasourceUrl: proxy.url,
      notifierUrl: alertmanager.url,
      evaluationInterval: '2s',
      bearerToken: PROXY_TOKEN,
    })
  );
  const diagnostics = () =>
    `\n--- vmalert ---\n${vmalert.outputTail()}\n--- proxy ---\n${proxy.logTail(10)}\n--- alertmanager ---\n${alertmanager.outputTail()}`;

  const liveCpu = async (host: string) => {
    const query = encodeURIComponent(`cpu_usage_percent{host="${host}"}`);
    const body = (await (await fetch(`${prometheus.url}/api/v1/query?query=${query}`)).json()) as {
      data: { result: Array<{ value: [number, string] }> };
    };
    return Number(body.data.result[0]?.value[1]);
  };
  const waitForLiveCpu = (host: string, value: number) =>
    waitUntil(async () => ((await liveCpu(host)) === value ? true : undefined), {
      timeoutMs: 20_000,
      describe: () => `Prometheus to scrape cpu_usage_percent=${value} for ${host}\n${prometheus.outputTail()}`,
    });
  const isOurAlert = (alert: WebhookAlert, status: WebhookAlert['status'], host: string) =>
    alert.status === status && alert.labels.alertname === ALERT_NAME && alert.labels.host === host;

  // Normal phase: the rule evaluates without errors and nothing fires.
  await waitUntil(async () => (target.scrapeCount() > 0 ? true : undefined), {
    timeoutMs: 20_000,
    describe: () => `Prometheus to scrape the live target\n${prometheus.outputTail()}`,
  });
  const evaluationsBefore = await vmalert.evaluationCount();
  await vmalert.waitForEvaluations(evaluationsBefore + 3, 30_000);
  const failing = await vmalert.failingRules();
  if (failing.length > 0) {
    throw new Error(`vmalert rules failing: ${failing.join(', ')}${diagnostics()}`);
  }
  expect(receiver.notifications()).toEqual([]);

  // Anomaly on host-a: the alert fires, labelled with the series' labels.
  serveCpu('host-a', STUCK_CPU_PERCENT);
  await waitForLiveCpu('host-a', STUCK_CPU_PERCENT);
  const firing = await receiver
    .waitFor((alert) => isOurAlert(alert, 'firing', 'host-a'), 40_000)
    .catch((error: Error) => Promise.reject(new Error(error.message + diagnostics())));
  expect(firing.labels).toEqual({
    alertname: ALERT_NAME,
    alertgroup: 'telemetry-anomalies',
    host: 'host-a',
    job: JOB,
    severity: 'warning',
  });
  expect(firing.annotations.summary).toBe('Unusual CPU on host-a');

  // Back to normal: the alert resolves.
  serveCpu('host-a', normalCpu.get('host-a')!);
  const resolved = await receiver
    .waitFor((alert) => isOurAlert(alert, 'resolved', 'host-a'), 60_000)
    .catch((error: Error) => Promise.reject(new Error(error.message + diagnostics())));
  expect(resolved.labels).toEqual(firing.labels);

  // host-b stayed normal throughout; and every evaluation reused the two models trained at the first one.
  const alertedHosts = receiver.notifications().flatMap((n) => n.alerts.map((alert) => alert.labels.host));
  expect(new Set(alertedHosts)).toEqual(new Set(['host-a']));
  // Training windows end on engine.retrainInterval boundaries (on the clock): a run that spans one trains the two
  // models again for the new window, and only then.
  const retrainWindows = trainingWindowsBetween(firstEvaluationMs, Date.now());
  const proxyMetrics = await (await fetch(`${proxy.url}/metrics`)).text();
  const trainings = Number(/^telemetry_proxy_model_trainings_total (\d+)$/m.exec(proxyMetrics)?.[1]);
  expect(trainings).toBeGreaterThanOrEqual(2);
  expect(trainings).toBeLessThanOrEqual(2 * retrainWindows);
});

/** How many engine.retrainInterval windows (the default, aligned on the clock) the span [fromMs, toMs] touches. */
function trainingWindowsBetween(fromMs: number, toMs: number): number {
  const interval = DEFAULT_RETRAIN_INTERVAL_MS;
  return Math.floor(toMs / interval) - Math.floor(fromMs / interval) + 1;
}

it('is started with the vmalert command both docs show, which turns MetricsQL validation off', () => {
  const flags = documentedVmalertFlags('docs/alerting.md');
  expect(documentedVmalertFlags('docs/proxy.md')).toEqual(flags);
  expect(flags).toContain('-rule.validateExpressions=false');
});
