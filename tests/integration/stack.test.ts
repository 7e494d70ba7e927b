// The demo stack end to end, on local servers instead of containers, each started with the command and config
// file its docker-compose service uses (ports and hostnames substituted):
//   telemetry-backfill → promtool → Prometheus ← scrapes telemetry-generator → InfluxDB
//   anomaly-proxy (deploy/proxy.yaml) → vmalert running the provisioned Grafana rules' expressions
//   → Alertmanager → deploy/alert-receiver.js, which logs the alert for the anomaly the generator injected.
// Grafana itself cannot run here: vmalert stands in for its rule evaluation (same queries, same proxy), with
// `for: 0s` instead of 2m so that the test takes about a minute and a half.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { AlertmanagerServer, startAlertmanager } from '../support/alertmanager';
import { findFreePort } from '../support/freePort';
import { InfluxDBServer, startInfluxDB } from '../support/influxdb';
import { PrometheusServer, startPrometheus } from '../support/prometheus';
import { ServerProcess } from '../support/serverProcess';
import { makeTempDir, removeTempDir } from '../support/tempDir';
import { startVmalert, VmalertServer } from '../support/vmalert';
import { waitUntil } from '../support/waitUntil';
import { composeCommand, loadCompose, provisionedAlertRules, readYaml, ruleExpression } from './stackFiles';
import {
  jsonLogLines,
  localNodeCommand,
  optionValue,
  parseOpenMetrics,
  runNode,
  startNode,
  withOption,
} from './stackProcesses';
import { buildWorkspaces } from '../../pkg/buildWorkspaces';

/** The injected anomaly starts this long after the generator, while the other servers start (the models train on
 * the day before the scored range, so whether they train before or after the anomaly starts does not matter). */
const FIRST_ANOMALY_AFTER = '20s';

/** `- ./deploy/x:/app/x:ro` → { source: 'deploy/x', target: '/app/x' } for bind mounts. */
function bindMounts(service: string): Array<{ source: string; target: string }> {
  return (loadCompose().services[service].volumes ?? [])
    .map((volume: string) => volume.split(':'))
    .filter(([source]: string[]) => source.startsWith('.'))
    .map(([source, target]: string[]) => ({ source: source.replace(/^\.\/?/, ''), target }));
}

describe('the demo stack, end to end', () => {
  const dir = makeTempDir('stack');
  const stoppables: Array<{ stop(): Promise<void> } | undefined> = [];
  let receiver: ServerProcess;
  let alertmanager: AlertmanagerServer;
  let influx: InfluxDBServer;
  let generator: ServerProcess;
  let prometheus: PrometheusServer;
  let proxy: ServerProcess;
  let vmalert: VmalertServer;

  beforeAll(() => buildWorkspaces());

  afterAll(async () => {
    for (const server of stoppables.reverse()) {
      await server?.stop();
    }
    removeTempDir(dir);
  });

  it('an anomaly injected by the generator reaches the alert receiver through the proxy and the provisioned rule', async () => {
    // alert-receiver: deploy/alert-receiver.js, as mounted into the container.
    const receiverPort = await findFreePort();
    receiver = await startNode(
      'alert-receiver',
      localNodeCommand(composeCommand('alert-receiver'), bindMounts('alert-receiver')),
      `http://127.0.0.1:${receiverPort}/healthz`,
      { PORT: String(receiverPort), HOST: '127.0.0.1' }
    );
    stoppables.push(receiver);
    // Grafana's contact point posts to /alerts of the receiver; Alertmanager does the same here.
    const contactUrl = new URL(
      readYaml('provisioning/alerting/contact-points.yaml').contactPoints[0].receivers[0].settings.url
    );
    alertmanager = await startAlertmanager({ webhookUrl: `http://127.0.0.1:${receiverPort}${contactUrl.pathname}` });
    stoppables.push(alertmanager);

    // The InfluxDB database the proxy config reads.
    const proxyConfig = readYaml('deploy/proxy.yaml');
    influx = await startInfluxDB({ database: proxyConfig.upstreams.influx.influx.database, lines: [] });
    stoppables.push(influx);

    // telemetry-backfill: one day of history as OpenMetrics.
    const historyFile = join(dir, 'history.om');
    const backfillArgv = withOption(
      localNodeCommand(composeCommand('telemetry-backfill')),
      '--openmetrics-file',
      historyFile
    );
    await runNode(backfillArgv);

    // telemetry-generator, with the first anomaly soon and of a kind the CPU rule catches.
    const generatorPort = await findFreePort();
    let generatorArgv = localNodeCommand(composeCommand('telemetry-generator'));
    generatorArgv = withOption(generatorArgv, '--listen', `127.0.0.1:${generatorPort}`);
    generatorArgv = withOption(generatorArgv, '--influx-url', influx.url);
    generatorArgv = withOption(generatorArgv, '--first-anomaly-after', FIRST_ANOMALY_AFTER);
    generatorArgv = withOption(generatorArgv, '--anomaly-kinds', 'cpu_spike');
    generator = await startNode('telemetry-generator', generatorArgv, `http://127.0.0.1:${generatorPort}/healthz`);
    stoppables.push(generator);

    // prometheus: the promtool backfill (prometheus-backfill), then scraping the generator as deploy/prometheus.yml says.
    const generatorPortInCompose = optionValue(composeCommand('telemetry-generator'), '--listen')!.split(':').pop();
    const scrapeJob = readYaml('deploy/prometheus.yml').scrape_configs.find((job: any) =>
      job.static_configs.some((config: any) => config.targets.includes(`telemetry-generator:${generatorPortInCompose}`))
    );
    // What the harness' scrape config does too: keep the generator's labels, drop instance.
    expect(scrapeJob).toEqual(
      expect.objectContaining({
        honor_labels: true,
        metric_relabel_configs: [{ action: 'labeldrop', regex: 'instance' }],
      })
    );
    prometheus = await startPrometheus({
      series: parseOpenMetrics(readFileSync(historyFile, 'utf8')),
      scrapeTargets: [
        {
          job: scrapeJob.job_name,
          address: `127.0.0.1:${generatorPort}`,
          intervalSeconds: parseInt(scrapeJob.scrape_interval, 10),
        },
      ],
    });
    stoppables.push(prometheus);

    // anomaly-proxy: `serve` with deploy/proxy.yaml, upstream URLs and ports substituted.
    const proxyPort = await findFreePort();
    const localProxyConfig = readYaml('deploy/proxy.yaml');
    localProxyConfig.listen = `127.0.0.1:${proxyPort}`;
    localProxyConfig.upstreams.prometheus.url = prometheus.url;
    localProxyConfig.upstreams.influx.url = influx.url;
    localProxyConfig.modelStore.directory = join(dir, 'models');
    const proxyConfigFile = join(dir, 'proxy.yaml');
    writeFileSync(proxyConfigFile, stringify(localProxyConfig));
    proxy = await startNode(
      'anomaly-proxy',
      withOption(localNodeCommand(composeCommand('anomaly-proxy')), '--config', proxyConfigFile),
      `http://127.0.0.1:${proxyPort}/readyz`
    );
    stoppables.push(proxy);

    // vmalert in Grafana's place: every provisioned rule, same expression and labels; Grafana's condition (the
    // last value per series above 0) as PromQL, since vmalert alerts on every series its expression returns.
    const rules = provisionedAlertRules().map(({ rule }) => ({
      alert: rule.title,
      expr: `${ruleExpression(rule).replace(/\s*>\s*0$/, '')} > 0`,
      for: '0s',
      labels: rule.labels,
      annotations: { summary: rule.annotations.summary },
    }));
    vmalert = await startVmalert({
      rulesYaml: stringify({ groups: [{ name: 'telemetry-anomalies', rules }] }),
      datasourceUrl: `http://127.0.0.1:${proxyPort}`,
      notifierUrl: alertmanager.url,
      evaluationInterval: '5s',
    });
    stoppables.push(vmalert);

    const injected = await waitUntil(
      async () => jsonLogLines(generator.outputTail()).find((line) => line.msg === 'anomaly injected'),
      { timeoutMs: 90_000, describe: () => `the generator's first anomaly\n${generator.outputTail()}` }
    );
    expect(injected.kind).toBe('cpu_spike');

    const alert = await waitUntil(
      async () =>
        jsonLogLines(receiver.outputTail()).find(
          (line) =>
            line.msg === 'alert' &&
            line.status === 'firing' &&
            line.alertname === 'CpuAnomaly' &&
            line.labels.host === injected.host &&
            Date.parse(line.startsAt) >= Date.parse(injected.start)
        ),
      {
        timeoutMs: 90_000,
        describe: () =>
          `a firing CpuAnomaly alert for ${injected.host} at the receiver\n--- receiver ---\n${receiver.outputTail()}\n--- proxy ---\n${proxy.outputTail()}\n--- vmalert ---\n${vmalert.outputTail()}`,
      }
    );
    expect(alert.labels).toEqual(
      expect.objectContaining({ host: injected.host, severity: 'warning', job: 'telemetry' })
    );
    expect(alert.annotations.summary).toBe(`Unusual CPU usage on ${injected.host}`);
    // The proxy answered every rule's query: no rule failed to evaluate.
    expect(await vmalert.failingRules()).toEqual([]);
  });
});
