// Starting and stopping the bench's stand-in hops (bareHttpProxy.js, tcpRelay.js) the same way.

/**
 * Listens on 127.0.0.1 (any free port); resolves to { url, close() }, where close() first runs `dropConnections`
 * (open keep-alive connections would hold server.close() open) and resolves once the server is closed.
 */
function listenLocal(server, dropConnections) {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        close: () =>
          new Promise((done) => {
            dropConnections();
            server.close(() => done());
          }),
      })
    )
  );
}

module.exports = { listenLocal };
