import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from './freePort';
import { startServerProcess } from './serverProcess';
import { documentedVmalertFlags, splitFlag } from './vmalertFlags';
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
  /** Sent to the datasource as `-datasource.bearerToken` (the proxy's incoming auth); without it the flag is left out. */
  bearerToken?: string;
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
 * vmalert evaluating `rulesYaml` against `datasourceUrl`, started with the flags docs/alerting.md documents
 * (vmalertFlags.ts) with this test's rules file, URLs, interval and token in place of the documented ones. It sends
 * `POST /api/v1/query?query=..&time=..&step=..`. Without -remoteWrite.url alert state is kept in memory only,
 * which is all a test needs.
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
      args: [...withTestValues(documentedVmalertFlags(), rulesFile, options), `-httpListenAddr=127.0.0.1:${port}`],
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

/** The documented flags with the test's own values for the ones that name files, hosts, intervals and secrets. */
function withTestValues(flags: string[], rulesFile: string, options: VmalertOptions): string[] {
  const testValues: Record<string, string | undefined> = {
    '-rule': rulesFile,
    '-datasource.url': options.datasourceUrl,
    '-datasource.bearerToken': options.bearerToken,
    '-notifier.url': options.notifierUrl,
    '-evaluationInterval': options.evaluationInterval,
  };
  return flags.flatMap((flag) => {
    const [name] = splitFlag(flag);
    if (!(name in testValues)) {
      return [flag];
    }
    return testValues[name] === undefined ? [] : [`${name}=${testValues[name]}`];
  });
}

function sumMetric(exposition: string, metric: string): number {
  const pattern = new RegExp(`^${metric}(?:\\{[^}]*\\})? (\\S+)$`, 'gm');
  return [...exposition.matchAll(pattern)].reduce((sum, match) => sum + Number(match[1]), 0);
}
