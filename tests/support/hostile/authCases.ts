/**
 * Requests for protected routes without valid credentials, spelled every way a router might still route them:
 * absolute-form targets, percent-encoding, dot segments, double slashes, `;` parameters, case, trailing slashes.
 */
import { exchange, rawRequest } from '../rawHttp';
import { HostileCase } from './types';
import { BASIC_USER, PROXY_TOKEN } from './setup';

const UNAUTHORIZED = { status: 401, errorType: 'unauthorized', error: /authentication required/ } as const;

function unauthenticated(
  name: string,
  target: string,
  extra: { method?: string; headers?: Record<string, string>; body?: string } = {}
): HostileCase {
  return {
    class: 'auth',
    name: `${extra.method ?? 'GET'} ${target}${extra.headers ? ` ${JSON.stringify(extra.headers)}` : ''} (${name})`,
    send: ({ port }) => rawRequest(port, { target, ...extra }),
    ...UNAUTHORIZED,
  };
}

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const BASIC_BASE64 = Buffer.from(`${BASIC_USER.username}:${BASIC_USER.password}`).toString('base64');
const basic = (credentials: string) => ({ authorization: `Basic ${credentials}` });

function twoAuthorizations(name: string, first: string, second: string): HostileCase {
  return {
    class: 'auth',
    name: `two Authorization headers, ${name}`,
    send: ({ port }) =>
      exchange(port, (socket) =>
        socket.write(
          `GET /api/v1/labels HTTP/1.1\r\nhost: x\r\nauthorization: ${first}\r\n` +
            `Authorization: ${second}\r\nconnection: close\r\n\r\n`
        )
      ),
    status: 400,
    errorType: 'bad_data',
    error: /^more than one Authorization header: send one$/,
  };
}

function noBreakSpace(where: string, authorization: string): HostileCase {
  return {
    class: 'auth',
    name: `a no-break space ${where}`,
    send: ({ port }) =>
      exchange(port, (socket) =>
        socket.write(
          Buffer.from(
            `GET /api/v1/labels HTTP/1.1\r\nhost: x\r\nauthorization: ${authorization}\r\nconnection: close\r\n\r\n`,
            'latin1'
          )
        )
      ),
    ...UNAUTHORIZED,
  };
}

export const AUTH_CASES: HostileCase[] = [
  unauthenticated('plain', '/api/v1/query?query=up'),
  unauthenticated('percent-encoded letter', '/%61pi/v1/query?query=up'),
  unauthenticated('percent-encoded path', '/%61%70%69/%76%31/%71%75%65%72%79?query=up'),
  unauthenticated('encoded slashes', '/api%2Fv1%2Fquery?query=up'),
  unauthenticated('double-encoded', '/%2561pi/v1/query?query=up'),
  unauthenticated('absolute-form', 'http://x/api/v1/series?match[]=up'),
  unauthenticated('absolute-form https', 'https://x/api/v1/query?query=up'),
  unauthenticated('absolute-form, encoded', 'http://x/%61pi/v1/query?query=up'),
  unauthenticated('absolute-form naming the proxy', 'http://127.0.0.1/api/v1/labels'),
  unauthenticated('double slash first', '//api/v1/query?query=up'),
  unauthenticated('double slash inside', '/api//v1/query?query=up'),
  unauthenticated('dot segment', '/./api/v1/query?query=up'),
  unauthenticated('dot-dot from an open route', '/healthz/../api/v1/query?query=up'),
  unauthenticated('dot-dot from /metrics', '/metrics/../api/v1/labels'),
  unauthenticated('encoded dot-dot', '/healthz/%2e%2e/api/v1/query?query=up'),
  unauthenticated('dot-dot inside', '/api/v1/../v1/query?query=up'),
  unauthenticated('semicolon parameter', '/api/v1/query;x=1?query=up'),
  unauthenticated('semicolon on an open route', '/healthz;/../api/v1/query?query=up'),
  unauthenticated('upper case', '/API/V1/QUERY?query=up'),
  unauthenticated('trailing slash', '/api/v1/query/?query=up'),
  unauthenticated('backslash', '/api\\v1\\query?query=up'),
  unauthenticated('query string in the path', '/api/v1/query%3Fquery=up'),
  unauthenticated('anomaly query', `/api/v1/query?query=${encodeURIComponent('anomaly_flag(up, train="1d")')}`),
  unauthenticated(
    'anomaly query, encoded path',
    `/%61pi/v1/query_range?query=${encodeURIComponent('anomaly_score(up)')}&start=1&end=2&step=1`
  ),
  unauthenticated('label values', '/api/v1/label/__name__/values'),
  unauthenticated('unknown route (deny by default)', '/api/v1/admin/tsdb/snapshot', { method: 'POST' }),
  unauthenticated('unknown route, no /api prefix', '/federate?match[]=up'),
  unauthenticated('form POST', '/api/v1/query', { method: 'POST', headers: FORM, body: 'query=up' }),
  unauthenticated('token in the query string', `/api/v1/query?query=up&access_token=${PROXY_TOKEN}`),
  unauthenticated('wrong bearer token', '/api/v1/query?query=up', { headers: { authorization: 'Bearer wrong' } }),
  unauthenticated('empty bearer token', '/api/v1/query?query=up', { headers: { authorization: 'Bearer ' } }),
  unauthenticated('token without scheme', '/api/v1/query?query=up', { headers: { authorization: PROXY_TOKEN } }),
  // A no-break space (the byte 0xA0, as a client writes it in latin1) is not HTTP's whitespace: around the token it
  // makes other credentials (before: trimmed away, and the request authorized).
  noBreakSpace('after the scheme', `Bearer \u00a0${PROXY_TOKEN}`),
  noBreakSpace('after the token', `Bearer ${PROXY_TOKEN}\u00a0`),
  noBreakSpace('before the scheme', `\u00a0Bearer ${PROXY_TOKEN}`),
  unauthenticated('token with a suffix', '/api/v1/query?query=up', {
    headers: { authorization: `Bearer ${PROXY_TOKEN}x` },
  }),
  unauthenticated('basic user that does not exist', '/api/v1/query?query=up', {
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  }),
  unauthenticated('rewrite headers', '/api/v1/query?query=up', {
    headers: { 'x-original-url': '/healthz', 'x-rewrite-url': '/healthz', 'x-forwarded-prefix': '/healthz' },
  }),
  // Basic credentials: only their canonical base64 (as Go's net/http, Prometheus, reads them), split at the first
  // colon; Node's lenient base64 decoder read the first three as the valid user.
  unauthenticated('basic, valid base64 with trailing junk', '/api/v1/labels', { headers: basic(`${BASIC_BASE64}!!`) }),
  unauthenticated('basic, valid base64 with a space inside', '/api/v1/labels', {
    headers: basic(`${BASIC_BASE64.slice(0, 8)} ${BASIC_BASE64.slice(8)}`),
  }),
  unauthenticated('basic, valid base64 without its padding', '/api/v1/labels', {
    headers: basic(BASIC_BASE64.replace(/=+$/, '')),
  }),
  unauthenticated('basic, password cut at its second colon', '/api/v1/labels', {
    headers: basic(Buffer.from(`${BASIC_USER.username}:pa:ss`).toString('base64')),
  }),
  unauthenticated('bearer scheme twice', '/api/v1/labels', {
    headers: { authorization: `Bearer Bearer ${PROXY_TOKEN}` },
  }),
  unauthenticated('token split by a space', '/api/v1/labels', {
    headers: { authorization: `Bearer ${PROXY_TOKEN.slice(0, 5)} ${PROXY_TOKEN.slice(5)}` },
  }),
  unauthenticated('token in Proxy-Authorization', '/api/v1/labels', {
    headers: { 'proxy-authorization': `Bearer ${PROXY_TOKEN}` },
  }),
  unauthenticated('a 15 000-character token', '/api/v1/labels', {
    headers: { authorization: `Bearer ${'A'.repeat(15_000)}` },
  }),
  // Node and Go read the first of two Authorization headers, a front proxy may read the other: refused.
  twoAuthorizations('the wrong one first', 'Bearer wrong', `Bearer ${PROXY_TOKEN}`),
  twoAuthorizations('the right one first', `Bearer ${PROXY_TOKEN}`, 'Bearer wrong'),
  twoAuthorizations('bearer and basic', `Bearer ${PROXY_TOKEN}`, `Basic ${BASIC_BASE64}`),
  twoAuthorizations('the second one empty', `Bearer ${PROXY_TOKEN}`, ''),
  unauthenticated('forwarded from localhost (no address is trusted)', '/api/v1/labels', {
    headers: {
      host: 'localhost',
      'x-forwarded-for': '127.0.0.1',
      'x-real-ip': '127.0.0.1',
      forwarded: 'for=127.0.0.1;proto=https;host=localhost',
      'x-forwarded-proto': 'https',
      'x-forwarded-user': BASIC_USER.username,
    },
  }),
  unauthenticated('OPTIONS', '/api/v1/query?query=up', { method: 'OPTIONS' }),
  unauthenticated('TRACE', '/api/v1/labels', { method: 'TRACE' }),
  unauthenticated('DELETE, a method the route does not take', '/api/v1/series', { method: 'DELETE' }),
  {
    class: 'auth',
    name: 'HTTP/1.0 without Host',
    send: ({ port }) => exchange(port, (socket) => socket.write('GET /api/v1/labels HTTP/1.0\r\n\r\n')),
    ...UNAUTHORIZED,
  },
  {
    class: 'auth',
    name: 'pipelined: an authorized request, then one without credentials on the same connection',
    send: ({ port }) =>
      exchange(
        port,
        (socket) =>
          socket.write(
            // The authorized one is refused after the auth check (no query), so no upstream is asked for it.
            `GET /api/v1/query HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n\r\n` +
              'GET /api/v1/label/job/values HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'
          ),
        'last'
      ),
    ...UNAUTHORIZED,
  },
  {
    class: 'auth',
    name: 'a request without credentials smuggled in an authorized body',
    send: ({ port }) => {
      const body = 'query=';
      return exchange(
        port,
        (socket) =>
          socket.write(
            `POST /api/v1/query HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${PROXY_TOKEN}\r\n` +
              `content-type: application/x-www-form-urlencoded\r\ncontent-length: ${body.length}\r\n\r\n${body}` +
              'GET /api/v1/labels HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n'
          ),
        'last'
      );
    },
    ...UNAUTHORIZED,
  },
];
