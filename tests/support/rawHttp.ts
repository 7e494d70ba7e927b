/**
 * HTTP/1.1 over a bare TCP socket, for requests fetch() would normalise away: absolute-form targets, dot segments,
 * `%61pi`, double slashes; and for clients that send slowly or go away. The answer is parsed by hand (content-length
 * or chunked bodies); a connection the server closes without an answer resolves with status 0.
 */
import { Socket, connect } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the connection without a status line. */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** The socket error, if the connection failed (EPIPE, ECONNRESET...). */
  socketError?: string;
}

export interface RawRequest {
  method?: string;
  /** Sent as it is in the request line. */
  target: string;
  headers?: Record<string, string>;
  body?: string;
}

/** Sends one request (with `Connection: close`) and reads the whole answer. */
export function rawRequest(port: number, request: RawRequest): Promise<RawAnswer> {
  const body = request.body ?? '';
  const headers: Record<string, string> = {
    host: `127.0.0.1:${port}`,
    connection: 'close',
    ...(request.body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...request.headers,
  };
  const head =
    `${request.method ?? 'GET'} ${request.target} HTTP/1.1\r\n` +
    Object.entries(headers)
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join('') +
    '\r\n';
  return exchange(port, (socket) => socket.write(head + body));
}

/**
 * Opens a connection, lets `talk` write to it, and resolves with what the server answered once it closes: its first
 * answer, or for pipelined requests (`answer: 'last'`) the last one. `answer: 'complete'` is a client that keeps its
 * connection: it hangs up itself once the first answer is whole, instead of waiting for the server's keep-alive
 * timeout to close it (seconds a case).
 */
export function exchange(
  port: number,
  talk: (socket: Socket) => void,
  answer: 'first' | 'last' | 'complete' = 'first'
): Promise<RawAnswer> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let socketError: string | undefined;
    socket.on('connect', () => talk(socket));
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      if (answer === 'complete' && answerIsWhole(Buffer.concat(chunks).toString('latin1'))) {
        socket.destroy();
      }
    });
    socket.on('error', (error: NodeJS.ErrnoException) => (socketError = error.code ?? error.message));
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const at = answer === 'last' ? Math.max(0, text.lastIndexOf('HTTP/1.')) : 0;
      resolve({ ...parseRawAnswer(text.slice(at)), socketError });
    });
  });
}

/**
 * Whether `text` holds a whole answer: its head, and its body by content-length or to the last chunk. An answer it
 * cannot frame this way (a 1xx interim head first, no length) is never whole: the exchange waits for the close.
 */
function answerIsWhole(text: string): boolean {
  const headEnd = text.indexOf('\r\n\r\n');
  if (headEnd < 0) {
    return false;
  }
  const head = text.slice(0, headEnd).toLowerCase();
  const body = text.slice(headEnd + 4);
  const length = /\r\ncontent-length: *(\d+)/.exec(head);
  if (length) {
    return body.length >= Number(length[1]);
  }
  return /\r\ntransfer-encoding: *chunked/.test(head) && /(^|\r\n)0\r\n\r\n$/.test(body);
}

/** An HTTP answer as received (latin1 text): status, headers (lower-case names), the body de-chunked as UTF-8. */
export function parseRawAnswer(text: string): Omit<RawAnswer, 'socketError'> {
  const headEnd = text.indexOf('\r\n\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  if (headEnd < 0 || !statusLine) {
    return { status: 0, headers: {}, body: text };
  }
  const headers: Record<string, string> = {};
  for (const line of text.slice(0, headEnd).split('\r\n').slice(1)) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const raw = text.slice(headEnd + 4);
  const body = headers['transfer-encoding'] === 'chunked' ? unchunk(raw) : raw;
  return { status: Number(statusLine[1]), headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

function unchunk(raw: string): string {
  let body = '';
  let at = 0;
  for (;;) {
    const lineEnd = raw.indexOf('\r\n', at);
    const size = lineEnd < 0 ? 0 : parseInt(raw.slice(at, lineEnd), 16);
    if (!size) {
      return body;
    }
    body += raw.slice(lineEnd + 2, lineEnd + 2 + size);
    at = lineEnd + 2 + size + 2;
  }
}
