/**
 * Requests at the edge of HTTP: targets the router cannot decode, path parameters over the router's limit, Expect
 * headers, CONNECT, framing a front proxy and the proxy could read differently (Content-Length with
 * Transfer-Encoding, two lengths, folded or bare-LF headers), a duplicated `query` parameter, a gzip body. Each gets
 * an answer in Prometheus' error format and reaches no upstream.
 */
import { gzipSync } from 'node:zlib';
import { exchange, rawRequest } from '../rawHttp';
import { AUTHORIZED, PROXY_TOKEN } from './setup';
import { HostileCase, HostileTarget } from './types';

const MALFORMED = { status: 400, errorType: 'bad_data', error: /^malformed HTTP request$/ } as const;
/** 20 MiB of "a" in 20 KiB: decoded, it would be 320 times limits.bodyLimit. */
const GZIP_BOMB = gzipSync(Buffer.alloc(20 << 20, 'a'));
const BAD_URL = { status: 400, errorType: 'bad_data', error: /is not a valid url component/ } as const;

/** Writes `head` (CRLF line ends unless it has its own) and `body` as they are. */
const written =
  (head: string, body: string | Buffer = '') =>
  (target: HostileTarget) =>
    exchange(target.port, (socket) => socket.write(Buffer.concat([Buffer.from(head, 'latin1'), Buffer.from(body)])));

/** An authorized form POST; with a content-length of the body unless `headers` frame it themselves. */
const authorizedPost = (path: string, headers: string[], body: string | Buffer) => {
  const framed = headers.some((header) => /^(content-length|transfer-encoding):/i.test(header));
  return written(
    [
      `POST ${path} HTTP/1.1`,
      'host: x',
      `authorization: Bearer ${PROXY_TOKEN}`,
      'content-type: application/x-www-form-urlencoded',
      'connection: close',
      ...headers,
      ...(framed ? [] : [`content-length: ${Buffer.byteLength(body)}`]),
      '',
      '',
    ].join('\r\n'),
    body
  );
};

const get =
  (target: string, headers: Record<string, string> = {}) =>
  (t: HostileTarget) =>
    rawRequest(t.port, { target, headers });

export const HTTP_CASES: HostileCase[] = [
  // What Go's server refuses and node:http let through (an attack review, 2026-12-05).
  {
    class: 'http',
    name: 'Transfer-Encoding gzip, chunked (the gzip was ignored)',
    send: authorizedPost(
      '/api/v1/query',
      ['transfer-encoding: gzip, chunked'],
      `${(8).toString(16)}\r\nquery=up\r\n0\r\n\r\n`
    ),
    status: 501,
    errorType: 'bad_data',
    error: /^unsupported Transfer-Encoding "gzip, chunked": only chunked$/,
  },
  {
    class: 'http',
    name: 'Transfer-Encoding in an HTTP/1.0 request',
    send: written(
      `POST /api/v1/query HTTP/1.0\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n` +
        'content-type: application/x-www-form-urlencoded\r\ntransfer-encoding: chunked\r\n\r\n',
      '8\r\nquery=up\r\n0\r\n\r\n'
    ),
    status: 400,
    errorType: 'bad_data',
    error: /^Transfer-Encoding in an HTTP\/1\.0 request$/,
  },
  {
    class: 'http',
    name: 'two Host headers',
    send: written(
      `GET /api/v1/query?query=up HTTP/1.1\r\nhost: x\r\nhost: y\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n` +
        'connection: close\r\n\r\n'
    ),
    status: 400,
    errorType: 'bad_data',
    error: /^more than one Host header: send one$/,
  },
  {
    // node:http's own check answered an empty 400 (no Prometheus error, request id, log line or metric).
    class: 'http',
    name: 'HTTP/1.1 without a Host header',
    send: written(
      `GET /api/v1/query?query=up HTTP/1.1\r\nauthorization: Bearer ${PROXY_TOKEN}\r\nconnection: close\r\n\r\n`
    ),
    status: 400,
    errorType: 'bad_data',
    error: /^missing Host header: an HTTP\/1\.1 request must have one$/,
  },
  {
    class: 'http',
    name: 'overlong UTF-8 "/" (%c0%af) after an open route',
    send: get('/healthz%c0%af..%c0%afapi/v1/labels'),
    ...BAD_URL,
  },
  { class: 'http', name: 'overlong UTF-8 "a" (%c1%a1)', send: get('/%c1%a1pi/v1/labels', AUTHORIZED), ...BAD_URL },
  {
    class: 'http',
    name: 'overlong UTF-8 dot segments (%c0%ae%c0%ae)',
    send: get('/healthz/%c0%ae%c0%ae/api/v1/labels'),
    ...BAD_URL,
  },
  {
    class: 'http',
    name: 'label name longer than the router takes',
    send: get(`/api/v1/label/${'a'.repeat(1200)}/values`, AUTHORIZED),
    status: 414,
    errorType: 'bad_data',
    error: /exceeding the max param length/,
  },
  {
    // An attack review: node:http answered 100 before any check, inviting the body (read and dropped, up to 64 MiB)
    // of a client without credentials. No 100 now, and the 401 at once, though the body never comes.
    class: 'http',
    name: 'Expect: 100-continue without credentials',
    send: written(
      'POST /api/v1/query HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\n' +
        'content-length: 50000\r\nexpect: 100-continue\r\n\r\n'
    ),
    status: 401,
    errorType: 'unauthorized',
    error: /^authentication required/,
  },
  {
    class: 'http',
    name: 'Expect other than 100-continue',
    send: get('/api/v1/labels', { ...AUTHORIZED, expect: 'x-smuggle' }),
    status: 417,
    errorType: 'bad_data',
    error: /unsupported Expect header "x-smuggle": only 100-continue/,
  },
  {
    class: 'http',
    name: 'CONNECT to an upstream (forward-proxy use)',
    send: written(
      `CONNECT 127.0.0.1:9090 HTTP/1.1\r\nhost: 127.0.0.1:9090\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n\r\n`
    ),
    status: 405,
    errorType: 'bad_data',
    error: /CONNECT is not supported/,
  },
  {
    class: 'http',
    name: 'Content-Length and Transfer-Encoding together, a second request in the chunked body',
    send: authorizedPost(
      '/api/v1/query',
      ['content-length: 8', 'transfer-encoding: chunked'],
      '8\r\nquery=up\r\n0\r\n\r\nGET /api/v1/labels HTTP/1.1\r\nhost: x\r\n\r\n'
    ),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'two different Content-Lengths',
    send: authorizedPost('/api/v1/query', ['content-length: 8', 'content-length: 40'], 'query=up'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'Transfer-Encoding: chunked, identity',
    send: authorizedPost('/api/v1/query', ['transfer-encoding: chunked, identity'], '8\r\nquery=up\r\n0\r\n\r\n'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'chunk size line ended by a bare LF',
    send: authorizedPost('/api/v1/query', ['transfer-encoding: chunked'], '8;x\nquery=up\r\n0\r\n\r\n'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'obsolete line folding of Authorization',
    send: written(`GET /api/v1/labels HTTP/1.1\r\nhost: x\r\nauthorization: Bearer\r\n ${PROXY_TOKEN}\r\n\r\n`),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'header lines ended by bare LF',
    send: written(`GET /api/v1/labels HTTP/1.1\nhost: x\nauthorization: Bearer ${PROXY_TOKEN}\n\n`),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'tab in the request line',
    send: written('GET\t/api/v1/labels\tHTTP/1.1\r\nhost: x\r\n\r\n'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'unknown method',
    send: written('SMUGGLE /api/v1/labels HTTP/1.1\r\nhost: x\r\n\r\n'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'a second query= after one over maxQueryLength (Prometheus runs the first: it is the one judged)',
    send: authorizedPost('/api/v1/query', [], `query=${'1%2B'.repeat(10_000)}1&query=up`),
    status: 400,
    errorType: 'bad_data',
    error: /20001 characters; at most 16384 \(limits\.maxQueryLength\)/,
  },
  {
    class: 'http',
    name: 'Content-Length: -1',
    send: authorizedPost('/api/v1/query', ['content-length: -1'], 'query=up'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'Content-Length beyond 2^64',
    send: authorizedPost('/api/v1/query', ['content-length: 99999999999999999999999'], 'query=up'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'HTTP/2 preface on the HTTP/1.1 port',
    send: written('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'HTTP/1.2',
    send: written(`GET /api/v1/labels HTTP/1.2\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n\r\n`),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'NUL after the token in Authorization',
    send: written(`GET /api/v1/labels HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\u0000x\r\n\r\n`),
    ...MALFORMED,
  },
  {
    class: 'http',
    name: 'multipart body (only URL and form parameters are read)',
    send: (target) => {
      const body = '--b\r\ncontent-disposition: form-data; name="query"\r\n\r\nup\r\n--b--';
      return written(
        `POST /api/v1/query HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\r\nconnection: close\r\n` +
          `content-type: multipart/form-data; boundary=b\r\ncontent-length: ${body.length}\r\n\r\n`,
        body
      )(target);
    },
    status: 415,
    errorType: 'bad_data',
    error: /^Unsupported Media Type/,
  },
  {
    class: 'http',
    name: 'gzip bomb body (Content-Encoding is not decoded)',
    send: authorizedPost('/api/v1/query', ['content-encoding: gzip', `content-length: ${GZIP_BOMB.length}`], GZIP_BOMB),
    status: 400,
    errorType: 'bad_data',
    // Read as a form, never inflated: its bytes are not UTF-8 text, so they are no form's.
    error: /^the form body is not UTF-8 text: percent-encode its parameters as UTF-8$/,
  },
];
