import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findFreePort } from './freePort';
import { startServerProcess } from './serverProcess';
import { removeTempDir, startInTempDir } from './tempDir';

export interface AlertmanagerOptions {
  /** Every alert is routed to this webhook, firing and resolved. */
  webhookUrl: string;
}

export interface AlertmanagerServer {
  url: string;
  stop(): Promise<void>;
  outputTail(): string;
}

/** Alertmanager without clustering, grouping per alert and host, with waits short enough for a test. */
export async function startAlertmanager(options: AlertmanagerOptions): Promise<AlertmanagerServer> {
  return startInTempDir('alertmanager', async (dir) => {
    const configFile = join(dir, 'alertmanager.yml');
    writeFileSync(configFile, alertmanagerConfig(options.webhookUrl));
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}`;
    const server = await startServerProcess({
      name: 'alertmanager',
      command: 'prometheus-alertmanager',
      args: [
        `--config.file=${configFile}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=127.0.0.1:${port}`,
        // Empty address: no gossip cluster (and no port to collide with).
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      readyUrl: `${url}/-/ready`,
    });
    return {
      url,
      outputTail: () => server.outputTail(),
      async stop() {
        await server.stop();
        removeTempDir(dir);
      },
    };
  });
}

function alertmanagerConfig(webhookUrl: string): string {
  return `
global:
  resolve_timeout: 10s
route:
  receiver: webhook
  group_by: [alertname, host]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1m
receivers:
  - name: webhook
    webhook_configs:
      - url: ${JSON.stringify(webhookUrl)}
        send_resolved: true
`;
}
