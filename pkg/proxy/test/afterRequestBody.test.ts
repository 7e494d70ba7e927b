import { createServer, IncomingMessage, Server } from 'node:http';
import { AddressInfo, connect } from 'node:net';
import { afterRequestBody } from '../src/http/afterRequestBody';

/**
 * A server that answers every request before reading its body, once afterRequestBody lets it (at most `max`); it
 * notes what afterRequestBody said and whether the whole body had arrived by then.
 */
function earlyAnswerServer(max: number, calls: string[]): Promise<Server> {
  const server = createServer((request: IncomingMessage, response) => {
    afterRequestBody(
      request,
      (drained) => {
        calls.push(`drained ${drained}, body complete ${request.complete}`);
        response.writeHead(413, drained ? {} : { connection: 'close' }).end('too large');
      },
      max
    );
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Sends a POST of `bodyBytes` with Connection: close in one write; what came back before the connection closed. */
function postAndRead(port: number, bodyBytes: number, chunked = false): Promise<{ answer: string; error?: string }> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    let error: string | undefined;
    const body = 'x'.repeat(bodyBytes);
    socket.on('connect', () =>
      socket.write(
        chunked
          ? `POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ntransfer-encoding: chunked\r\n\r\n` +
              `${bodyBytes.toString(16)}\r\n${body}\r\n0\r\n\r\n`
          : `POST / HTTP/1.1\r\nhost: x\r\nconnection: close\r\ncontent-length: ${bodyBytes}\r\n\r\n${body}`
      )
    );
    socket.on('data', (chunk) => (answer += chunk.toString('latin1')));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code));
    socket.on('close', () => resolve({ answer, error }));
  });
}

describe('afterRequestBody: an early answer waits for the body the client is still sending', () => {
  let server: Server | undefined;
  afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

  it('reads and drops the whole body, then answers: the client that asked to close reads the answer', async () => {
    const calls: string[] = [];
    server = await earlyAnswerServer(64 * 1024 * 1024, calls);
    const { answer } = await postAndRead((server.address() as AddressInfo).port, 16 * 1024 * 1024);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain('too large');
    expect(calls).toEqual(['drained true, body complete true']);
  });

  it('answers at once for a request without a body', async () => {
    const calls: string[] = [];
    server = await earlyAnswerServer(1024, calls);
    const { answer } = await postAndRead((server.address() as AddressInfo).port, 0);
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(calls).toEqual(['drained true, body complete true']);
  });

  it('answers at once when the declared length is beyond its byte bound', async () => {
    const calls: string[] = [];
    server = await earlyAnswerServer(1024, calls);
    const { answer } = await postAndRead((server.address() as AddressInfo).port, 64 * 1024);
    expect(calls).toEqual(['drained false, body complete false']);
    expect(answer === '' || /^HTTP\/1\.1 413 /.test(answer)).toBe(true);
  });

  it('stops dropping at its byte bound and says so (the caller closes the connection)', async () => {
    const calls: string[] = [];
    server = await earlyAnswerServer(256 * 1024, calls);
    // Chunked: no declared length, so the bound is met while reading.
    await postAndRead((server.address() as AddressInfo).port, 8 * 1024 * 1024, true);
    expect(calls).toEqual(['drained false, body complete false']);
  });
});
