import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { waitBudget } from './waitUntil';

/** One alert of an Alertmanager webhook notification (webhook payload version 4). */
export interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt: string;
  endsAt: string;
}

export interface WebhookNotification {
  receivedAtMs: number;
  status: 'firing' | 'resolved';
  alerts: WebhookAlert[];
  groupLabels: Record<string, string>;
  commonLabels: Record<string, string>;
}

export interface WebhookReceiver {
  /** Where Alertmanager should POST, e.g. http://127.0.0.1:39125/alerts */
  url: string;
  /** Every notification received so far, oldest first. */
  notifications(): WebhookNotification[];
  /** Resolves with the first received alert (already or later) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (alert: WebhookAlert) => boolean, timeoutMs: number): Promise<WebhookAlert>;
  stop(): Promise<void>;
}

/** A node:http server recording the notifications Alertmanager's webhook receiver posts. */
export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookNotification[] = [];
  const waiters = new Set<() => void>();

  const server = createServer(async (request, response) => {
    if (request.method !== 'POST') {
      response.writeHead(405).end();
      return;
    }
    try {
      const payload = JSON.parse(await readBody(request)) as Omit<WebhookNotification, 'receivedAtMs'>;
      received.push({ ...payload, receivedAtMs: Date.now() });
      response.writeHead(200).end();
      for (const wake of waiters) {
        wake();
      }
    } catch (error) {
      response.writeHead(400).end(String(error));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const findAlert = (predicate: (alert: WebhookAlert) => boolean) =>
    received.flatMap((notification) => notification.alerts).find(predicate);

  return {
    url: `http://127.0.0.1:${port}/alerts`,
    notifications: () => [...received],
    waitFor(predicate, timeoutMs) {
      const budgetMs = waitBudget(timeoutMs);
      return new Promise((resolve, reject) => {
        const check = () => {
          const alert = findAlert(predicate);
          if (alert !== undefined) {
            done();
            resolve(alert);
          }
        };
        const timer = setTimeout(() => {
          done();
          const seen = received.flatMap((n) => n.alerts.map((a) => `${a.status} ${JSON.stringify(a.labels)}`));
          reject(
            new Error(`no matching webhook alert within ${budgetMs} ms; received: ${seen.join('; ') || 'nothing'}`)
          );
        }, budgetMs);
        const done = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}
