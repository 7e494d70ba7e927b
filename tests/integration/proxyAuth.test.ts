// Incoming auth decided on the route the router matched: the same spellings the hostile corpus sends without
// credentials reach their route with them, the allow-listed routes answer without them, and the allow-list is the
// operator's.
import { AUTHORIZED, PROXY_TOKEN } from '../support/hostile';
import { prometheusServing } from '../support/datasetPrometheus';
import { startProxyUnderTest } from '../support/proxyUnderTest';
import { exchange, rawRequest } from '../support/rawHttp';
import { stopAfterEach } from '../support/stopAfterEach';
import { buildTelemetryDataset } from '../support/telemetryDataset';

const dataset = buildTelemetryDataset();
const stopLater = stopAfterEach();
const prometheus = prometheusServing(dataset);

async function proxyWithAuth() {
  return stopLater(await startProxyUnderTest({ prometheusUrl: prometheus().url, bearerTokens: [PROXY_TOKEN] }));
}

describe('incoming auth', () => {
  it('lets credentials through on every spelling the router routes, so the refusals without them are auth', async () => {
    const proxy = await proxyWithAuth();
    const routed = [
      '/api/v1/query?query=up',
      '/%61pi/v1/query?query=up',
      '/%61%70%69/%76%31/%71%75%65%72%79?query=up',
      'http://x/api/v1/series?match[]=up',
      'http://x/%61pi/v1/query?query=up',
    ];
    for (const target of routed) {
      const answer = await rawRequest(proxy.port, { target, headers: AUTHORIZED });
      expect([target, answer.status]).toEqual([target, 200]);
      expect(JSON.parse(answer.body)).toMatchObject({ status: 'success' });
    }
    // Spellings the router does not route are 404 with credentials (and 401 without: the corpus).
    for (const target of ['//api/v1/query?query=up', '/API/V1/QUERY?query=up', '/api/v1/query;x=1?query=up']) {
      const answer = await rawRequest(proxy.port, { target, headers: AUTHORIZED });
      expect([target, answer.status, JSON.parse(answer.body).errorType]).toEqual([target, 404, 'not_found']);
    }
  });

  it('asks for the body of an Expect: 100-continue request with credentials, and answers it', async () => {
    // (Without credentials no 100 is sent and the 401 goes out at once: the hostile corpus.)
    const proxy = await proxyWithAuth();
    const body = 'query=up';
    const head =
      'POST /api/v1/query HTTP/1.1\r\nhost: x\r\nconnection: close\r\n' +
      `authorization: Bearer ${PROXY_TOKEN}\r\ncontent-type: application/x-www-form-urlencoded\r\n` +
      `content-length: ${body.length}\r\nexpect: 100-continue\r\n\r\n`;
    let first = '';
    const answer = await exchange(
      proxy.port,
      (socket) => {
        socket.write(head);
        // The body only once asked for it, as curl and Go's client do.
        socket.once('data', (chunk) => {
          first = chunk.toString('latin1');
          socket.write(body);
        });
      },
      'last'
    );
    expect(first).toMatch(/^HTTP\/1\.1 100 Continue\r\n/);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ status: 'success', data: { resultType: 'vector' } });
  });

  it('answers /healthz, /readyz and /metrics without credentials by default', async () => {
    const proxy = await proxyWithAuth();
    for (const target of ['/healthz', '/readyz', '/metrics', 'http://x/healthz']) {
      const answer = await rawRequest(proxy.port, { target });
      expect([target, answer.status]).toEqual([target, 200]);
    }
  });

  it('needs credentials on every route the operator leaves out of auth.unauthenticatedPaths', async () => {
    const strict = await startProxyUnderTest({
      prometheusUrl: prometheus().url,
      extraYaml: [`auth: { bearerTokens: [${PROXY_TOKEN}], unauthenticatedPaths: [/healthz] }`],
    });
    stopLater(strict);
    expect((await rawRequest(strict.port, { target: '/healthz' })).status).toBe(200);
    for (const target of ['/metrics', '/readyz']) {
      const denied = await rawRequest(strict.port, { target });
      expect([target, denied.status, JSON.parse(denied.body).errorType]).toEqual([target, 401, 'unauthorized']);
      const allowed = await rawRequest(strict.port, { target, headers: AUTHORIZED });
      expect([target, allowed.status]).toEqual([target, 200]);
    }
  });
});
