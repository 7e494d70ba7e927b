import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from './freePort';
import { startServerProcess } from './serverProcess';
import { removeTempDir, startInTempDir } from './tempDir';
import { waitUntil } from './waitUntil';

export interface VmalertOptions {
  /** A vmalert rules file (groups: [...]). */
  rulesYaml: string;
  /** Prometheus-compatible query API the rules run against. */
  datasourceUrl: string;
  /** Alertmanager URL. */
  notifierUrl: string;
  /** e.g. "2s"; rule groups without their own interval use it. */
  evaluationInterval: string;
}

export interface VmalertServer {
  url: string;
  /** Evaluations the rule groups have run in total since start. */
  evaluationCount(): Promise<number>;
  /** Resolves once the rule groups have run `count` evaluations in total since start. */
  waitForEvaluations(count: number, timeoutMs: number): Promise<void>;
  /** Names of alerting rules whose last evaluation failed (the reason is in outputTail()). */
  failingRules(): Promise<string[]>;
  outputTail(): string;
  stop(): Promise<void>;
}

/**
 * vmalert evaluating `rulesYaml` against `datasourceUrl`. It sends `POST /api/v1/query?query=..&time=..&step=..`.
 * Expressions are not validated as MetricsQL, since the proxy's anomaly functions are not MetricsQL;
 * without -remoteWrite.url alert state is kept in memory only, which is all a test needs.
 */
export async function startVmalert(options: VmalertOptions): Promise<VmalertServer> {
  return startInTempDir('vmalert', async (dir) => {
    const rulesFile = join(dir, 'rules.yml');
    writeFileSync(rulesFile, options.rulesYaml);
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServerProcess({
      name: 'vmalert',
      command: 'vmalert',
      args: [
        `-rule=${rulesFile}`,
        `-datasource.url=${options.datasourceUrl}`,
        `-notifier.url=${options.notifierUrl}`,
        `-evaluationInterval=${options.evaluationInterval}`,
        `-httpListenAddr=127.0.0.1:${port}`,
        '-rule.validateExpressions=false',
      ],
      readyUrl: `${url}/health`,
    });

    const metrics = async () => (await fetch(`${url}/metrics`)).text();
    let evaluations = 0;
    return {
      url,
      outputTail: () => server.outputTail(),
      evaluationCount: async () => sumMetric(await metrics(), 'vmalert_iteration_total'),
      async waitForEvaluations(count, timeoutMs) {
        await waitUntil(
          async () => {
            evaluations = sumMetric(await metrics(), 'vmalert_iteration_total');
            return evaluations >= count ? true : undefined;
          },
          {
            timeoutMs,
            describe: () => `${count} vmalert evaluations (${evaluations} so far)\n${server.outputTail()}`,
          }
        );
      },
      async failingRules() {
        return [...(await metrics()).matchAll(/^vmalert_alerting_rules_error\{alertname="([^"]*)"[^}]*\} 1$/gm)].map(
          (match) => match[1]
        );
      },
      async stop() {
        await server.stop();
        removeTempDir(dir);
      },
    };
  });
}

function sumMetric(exposition: string, metric: string): number {
  const pattern = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...exposition.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}
