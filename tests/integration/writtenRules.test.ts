/**
 * The alert rule on written series (docs/scale.md, "Grafana"): deploy/written-rules.yml holds the same expression as
 * the Grafana-provisioned rule, and real vmalert (Debian's, with its default -rule.validateExpressions=true) and
 * promtool load it as it is, while the same validation refuses a query-time anomaly_flag(...) rule (which vmalert
 * runs only with -rule.validateExpressions=false, docs/alerting.md). vmalert then evaluates it against single-node VictoriaMetrics
 * holding written anomaly_flag series: one alert, for the flagged host.
 */
import { encodeWriteRequest, REMOTE_WRITE_HEADERS } from '@telemetry-analyzer/writer';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { findFreePort } from '../support/freePort';
import { RemoteWriteTarget, startVictoriaMetrics } from '../support/remoteWriteTargets';
import { startServerProcess } from '../support/serverProcess';
import { makeTempDir, removeTempDir } from '../support/tempDir';
import { waitUntil } from '../support/waitUntil';
import { provisionedAlertRules, readYaml, repoPath, ruleExpression } from './stackFiles';

const RULES_FILE = 'deploy/written-rules.yml';
const run = promisify(execFile);

/** Exit code and output of a command that may fail. */
async function exitOf(command: string, args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run(command, args);
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const { code, stdout, stderr } = error as { code: number; stdout: string; stderr: string };
    return { code, output: stdout + stderr };
  }
}

let dir: string;
beforeAll(() => {
  dir = makeTempDir('written-rules');
});
afterAll(() => removeTempDir(dir));

describe('alert rule on written series', () => {
  const file = readYaml(RULES_FILE);
  const rules = file.groups.flatMap((group: any) => group.rules);

  it('is the expression of the Grafana-provisioned rule on written series', () => {
    const provisioned = provisionedAlertRules()
      .map(({ rule }) => rule)
      .filter((rule) => rule.data.some((entry: any) => entry.datasourceUid === 'prometheus'));
    expect(rules.map((rule: any) => [rule.alert, rule.expr, rule.for])).toEqual(
      provisioned.map((rule) => [rule.title, ruleExpression(rule), rule.for])
    );
  });

  it('loads in vmalert with its default expression validation, which refuses a query-time rule, and in promtool', async () => {
    expect(await exitOf('vmalert', ['-dryRun', `-rule=${repoPath(RULES_FILE)}`])).toMatchObject({ code: 0 });
    expect(await exitOf('promtool', ['check', 'rules', repoPath(RULES_FILE)])).toMatchObject({
      code: 0,
      output: expect.stringContaining(`SUCCESS: ${rules.length} rules found`),
    });
    const queryTime = join(dir, 'query-time.yml');
    writeFileSync(
      queryTime,
      'groups:\n  - name: q\n    rules:\n      - alert: Q\n' +
        '        expr: anomaly_flag(cpu_usage_percent, contamination=0.01, train="1d") > 0\n'
    );
    const refused = await exitOf('vmalert', ['-dryRun', `-rule=${queryTime}`]);
    expect(refused.code).not.toBe(0);
    expect(refused.output).toContain('bad prometheus expr');
  });

  it('vmalert evaluates it against VictoriaMetrics holding written flags: one alert, for the flagged host', async () => {
    let vm: RemoteWriteTarget | undefined;
    let vmalert: Awaited<ReturnType<typeof startServerProcess>> | undefined;
    try {
      // The deployed rules with their group evaluated every second instead of every minute: vmalert delays a group's
      // first evaluation by a random part of its interval (up to a minute of waiting here). Nothing else differs.
      const deployed = readFileSync(repoPath(RULES_FILE), 'utf8');
      const everySecond = deployed.replace(/^(\s+)interval: 1m$/m, '$1interval: 1s');
      expect(everySecond.split('\n').filter((line, i) => line !== deployed.split('\n')[i])).toEqual([
        '    interval: 1s',
      ]);
      const rules = join(dir, 'written-rules.yml');
      writeFileSync(rules, everySecond);
      vm = await startVictoriaMetrics();
      // The flags a writer of job cpu writes: h1 anomalous, h2 not, over the last 10 minutes.
      const now = Math.floor(Date.now() / 60_000) * 60_000;
      const flag = (host: string, value: number) => ({
        labels: [
          { name: '__name__', value: 'anomaly_flag' },
          { name: 'anomaly_job', value: 'cpu' },
          { name: 'host', value: host },
        ],
        samples: Array.from({ length: 10 }, (_, i) => ({ timestamp: now - (9 - i) * 60_000, value })),
      });
      const written = await fetch(vm.writeUrl, {
        method: 'POST',
        headers: REMOTE_WRITE_HEADERS,
        body: encodeWriteRequest([flag('h1', 1), flag('h2', 0)]),
      });
      expect(written.status).toBe(204);
      await vm.flush(); // vmalert's first evaluation sees the flags
      const port = await findFreePort();
      const url = `http://127.0.0.1:${port}`;
      vmalert = await startServerProcess({
        name: 'vmalert',
        command: 'vmalert',
        args: [
          `-rule=${rules}`,
          `-datasource.url=${vm.url}`,
          `-notifier.url=http://127.0.0.1:${await findFreePort()}`, // pending alerts are not sent
          '-evaluationInterval=1s',
          `-httpListenAddr=127.0.0.1:${port}`,
        ],
        readyUrl: `${url}/health`,
      });
      let alerts: Array<{ labels: Record<string, string>; state: string }> = [];
      await waitUntil(
        async () => {
          const body = (await (await fetch(`${url}/api/v1/alerts`)).json()) as { data: { alerts: typeof alerts } };
          alerts = body.data.alerts ?? [];
          return alerts.length > 0 ? true : undefined;
        },
        { timeoutMs: 30_000, describe: () => `an alert from vmalert\n${vmalert?.outputTail()}` }
      );
      expect(alerts.map((a) => [a.labels.alertname, a.labels.host, a.labels.anomaly_job, a.state])).toEqual([
        ['WrittenCpuAnomaly', 'h1', 'cpu', 'pending'], // for: 2m
      ]);
      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).not.toMatch(/^vmalert_alerting_rules_error\{[^}]*\} 1$/m);
    } finally {
      await vmalert?.stop();
      await vm?.stop();
    }
  });
});
