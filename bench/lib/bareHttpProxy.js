// The least any Node.js HTTP hop costs: a node:http server that forwards each request to `targetUrl` on a keep-alive
// agent and pipes the answer back, without routing, auth, limits, logging or metrics. Bench cases measure it beside
// the proxy, so a ratio can be read against what the hop itself costs on the machine at the time.
const http = require('http');
const { listenLocal } = require('./localHop');

/** Starts it on 127.0.0.1 (any free port); resolves to { url, close() }. */
function startBareHttpProxy(targetUrl) {
  const target = new URL(targetUrl);
  const agent = new http.Agent({ keepAlive: true });
  const server = http.createServer((request, response) => {
    const headers = { 'accept-encoding': 'identity' };
    for (const name of ['content-type', 'content-length']) {
      if (request.headers[name] !== undefined) {
        headers[name] = request.headers[name];
      }
    }
    const upstream = http.request(
      { hostname: target.hostname, port: target.port, path: request.url, method: request.method, headers, agent },
      (answer) => {
        const answerHeaders = { 'content-type': answer.headers['content-type'] };
        if (answer.headers['content-length'] !== undefined) {
          answerHeaders['content-length'] = answer.headers['content-length'];
        }
        response.writeHead(answer.statusCode, answerHeaders);
        answer.pipe(response);
      }
    );
    upstream.on('error', () => response.destroy());
    request.pipe(upstream);
  });
  return listenLocal(server, () => {
    agent.destroy();
    server.closeAllConnections();
  });
}

module.exports = { startBareHttpProxy };
