/**
 * Requests for protected routes without valid credentials, spelled every way a router might still route them:
 * absolute-form targets, percent-encoding, dot segments, double slashes, `;` parameters, case, trailing slashes.
 */
import { rawRequest } from '../rawHttp';
import { HostileCase } from './types';
import { PROXY_TOKEN } from './setup';

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
  unauthenticated('token with a suffix', '/api/v1/query?query=up', {
    headers: { authorization: `Bearer ${PROXY_TOKEN}x` },
  }),
  unauthenticated('basic user that does not exist', '/api/v1/query?query=up', {
    headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
  }),
  unauthenticated('rewrite headers', '/api/v1/query?query=up', {
    headers: { 'x-original-url': '/healthz', 'x-rewrite-url': '/healthz', 'x-forwarded-prefix': '/healthz' },
  }),
];
