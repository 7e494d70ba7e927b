// The floor under any hop: a TCP relay that copies bytes between the client's connection and one it opens to
// `targetUrl`, without reading them as HTTP (so it could not route, authenticate or limit anything). Measured beside
// the node:http hop and the proxy, it tells what copying the bytes costs from what handling HTTP in Node.js costs.
const net = require('net');
const { listenLocal } = require('./localHop');

/** Starts it on 127.0.0.1 (any free port); resolves to { url, close() }. */
function startTcpRelay(targetUrl) {
  const target = new URL(targetUrl);
  const sockets = new Set();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(target.port), target.hostname);
    for (const socket of [client, upstream]) {
      socket.setNoDelay(true);
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  return listenLocal(server, () => sockets.forEach((socket) => socket.destroy()));
}

module.exports = { startTcpRelay };
