#!/usr/bin/env node
/**
 * The demo stack's alert receiver: accepts the webhook notifications of Grafana's contact point (and of
 * Alertmanager, same shape: `{status, alerts: [{status, labels, annotations, startsAt, endsAt}]}`) on POST /alerts
 * and logs one JSON line per alert to stdout (`docker compose logs -f alert-receiver`).
 * Environment: PORT [8080], HOST [0.0.0.0]. No dependencies beyond Node.
 */
'use strict';
const http = require('node:http');

const port = Number(process.env.PORT ?? 8080);
const host = process.env.HOST ?? '0.0.0.0';
const MAX_BODY_BYTES = 1024 * 1024;

function log(fields) {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), ...fields }) + '\n');
}

const server = http.createServer((request, response) => {
  const path = (request.url ?? '/').split('?')[0];
  if (request.method === 'GET' && path === '/healthz') {
    response.writeHead(200).end('ok\n');
    return;
  }
  if (request.method !== 'POST' || path !== '/alerts') {
    response.writeHead(404).end('POST alert notifications to /alerts\n');
    return;
  }
  const chunks = [];
  let size = 0;
  request.on('data', (chunk) => {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      response.writeHead(413).end('notification too large\n');
      request.destroy();
      return;
    }
    chunks.push(chunk);
  });
  request.on('end', () => {
    let notification;
    try {
      notification = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch (error) {
      log({ msg: 'rejected a notification that is not JSON', error: error.message });
      response.writeHead(400).end('expected a JSON body\n');
      return;
    }
    const alerts = Array.isArray(notification.alerts) ? notification.alerts : [];
    for (const alert of alerts) {
      log({
        msg: 'alert',
        status: alert.status,
        alertname: alert.labels?.alertname,
        labels: alert.labels ?? {},
        annotations: alert.annotations ?? {},
        startsAt: alert.startsAt,
        endsAt: alert.endsAt,
        receiver: notification.receiver,
      });
    }
    response.writeHead(200).end();
  });
});

server.listen(port, host, () => log({ msg: 'listening', address: `${host}:${server.address().port}` }));

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.once(signal, () => server.close(() => process.exit(0)));
}
