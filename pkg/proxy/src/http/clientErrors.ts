/**
 * Answers for clients the HTTP server gives up on before a route runs, in Prometheus' error format like every other
 * answer: a request not received within server.requestTimeout / headersTimeout (408), headers too large (431),
 * anything unparsable (400). The connection is closed after the answer.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { ServerSettings } from '../config';
import { formatDuration } from '@telemetry-analyzer/query';

export function clientErrorHandler(timeouts: ServerSettings) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) {
      return; // the client is gone: nobody to answer
    }
    const [status, message] =
      error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [
            408,
            `request not received in time: headers within ${formatDuration(timeouts.headersTimeoutMs)} ` +
              `(server.headersTimeout), headers and body within ${formatDuration(timeouts.requestTimeoutMs)} (server.requestTimeout)`,
          ]
        : error.code === 'HPE_HEADER_OVERFLOW'
          ? [431, 'request headers too large']
          : [400, 'malformed HTTP request'];
    if (socket.writable) {
      socket.end(rawBadDataAnswer(status, message));
    }
    socket.destroySoon();
  };
}

/** A whole HTTP/1.1 answer in Prometheus' error format (bad_data), for sockets no fastify reply owns; then close. */
export function rawBadDataAnswer(status: number, message: string): string {
  const body = JSON.stringify({ status: 'error', errorType: 'bad_data', error: message });
  return (
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
    `Content-Type: application/json\r\nConnection: close\r\n\r\n${body}`
  );
}
