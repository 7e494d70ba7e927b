import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export interface StubUpstream {
  url: string;
  port: number;
  /** TCP connections accepted so far (counted even when no HTTP request follows). */
  connectionCount(): number;
  /** Paths (with query string) of the requests received so far. */
  requestPaths(): string[];
  stop(): Promise<void>;
}

/**
 * A node:http server on 127.0.0.1 standing in for a misbehaving upstream (slow, garbage answers) or, with a
 * handler that never runs, for a host nobody may reach: it records every connection and request.
 */
export async function startStubUpstream(
  handle: (request: IncomingMessage, response: ServerResponse) => void = (_request, response) => response.end()
): Promise<StubUpstream> {
  let connections = 0;
  const paths: string[] = [];
  const server = createServer((request, response) => {
    paths.push(request.url ?? '');
    handle(request, response);
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    connectionCount: () => connections,
    requestPaths: () => [...paths],
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
