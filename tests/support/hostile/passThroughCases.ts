/**
 * Authorized requests for what the proxy must not pass to Prometheus: endpoints that write or administer (the TSDB
 * admin API, remote write, OTLP, lifecycle), that show the upstream's configuration (status/config, flags), methods
 * Prometheus reads as a write (DELETE /api/v1/series), and label names that would steer the upstream path elsewhere.
 * Only the read endpoints listed in docs/proxy.md are forwarded; these get an answer of the proxy's own and the
 * upstream sees nothing (its API request counters do not move).
 */
import { rawRequest } from '../rawHttp';
import { AUTHORIZED } from './setup';
import { HostileCase } from './types';

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function notForwarded(method: string, target: string): HostileCase {
  const path = target.split('?')[0];
  return {
    class: 'passthrough',
    name: `${method} ${target}`,
    send: ({ port }) =>
      rawRequest(port, { method, target, headers: AUTHORIZED, ...(method === 'POST' ? { body: '' } : {}) }),
    status: 404,
    errorType: 'not_found',
    error: new RegExp(`^${method} ${literal(path)} is not an endpoint of this proxy$`),
  };
}

/**
 * A known endpoint with a method it does not take: 405 naming the methods it does (Prometheus answers 405 too, and
 * Grafana retries a POST as GET on 405 only), and nothing forwarded.
 */
function methodNotAllowed(method: string, target: string, allowed: string): HostileCase {
  const path = target.split('?')[0];
  return {
    class: 'passthrough',
    name: `${method} ${target} (405)`,
    send: ({ port }) =>
      rawRequest(port, { method, target, headers: AUTHORIZED, ...(method === 'GET' ? {} : { body: '' }) }),
    status: 405,
    errorType: 'bad_data',
    error: new RegExp(`^${method} ${literal(path)} is not allowed: use ${allowed}$`),
  };
}

function badLabelName(target: string, decoded: string): HostileCase {
  return {
    class: 'passthrough',
    name: `label values of ${JSON.stringify(decoded)} (${target})`,
    send: ({ port }) => rawRequest(port, { target, headers: AUTHORIZED }),
    status: 400,
    errorType: 'bad_data',
    error: new RegExp(`^invalid label name: ${literal(JSON.stringify(decoded))}$`),
  };
}

const MATCH = `match[]=${encodeURIComponent('{job="telemetry"}')}`;

/**
 * PromQL a pass-through endpoint would hand Prometheus unjudged: held to limits.maxQueryLength (16 384 by default)
 * like /query's, and a query to format to MAX_FORMAT_QUERY_TOKENS (Prometheus 2.42 formats in time cubic in a query's
 * depth: a review's 40 KB of nested brackets kept it busy past the proxy's timeout, at 2 GB).
 */
function refusedPromql(path: string, name: string, value: string, error: RegExp): HostileCase {
  const body = new URLSearchParams([[name, value]]).toString();
  return {
    class: 'passthrough',
    name: `POST ${path} with ${name} of ${value.length} characters (${value.slice(0, 12)}…)`,
    send: ({ port }) =>
      rawRequest(port, {
        method: 'POST',
        target: path,
        headers: { ...AUTHORIZED, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      }),
    status: 400,
    errorType: 'bad_data',
    error,
  };
}

/**
 * More selectors than MAX_MATCHERS (100) in one request: Prometheus selects and merges each (an attack review: 80 000
 * in a 1 MiB body kept it busy for minutes after the proxy's timeout). In the query string or the body.
 */
function tooManyMatchers(path: string, method: 'GET' | 'POST'): HostileCase {
  const matchers = Array.from({ length: 101 }, (_, i) => `match[]=${encodeURIComponent(`{job="j${i}"}`)}`).join('&');
  return {
    class: 'passthrough',
    name: `${method} ${path} with 101 match[] selectors`,
    send: ({ port }) =>
      rawRequest(
        port,
        method === 'GET'
          ? { method, target: `${path}?${matchers}`, headers: AUTHORIZED }
          : {
              method,
              target: path,
              headers: { ...AUTHORIZED, 'content-type': 'application/x-www-form-urlencoded' },
              body: matchers,
            }
      ),
    status: 400,
    errorType: 'bad_data',
    error: /^invalid parameter "match\[\]": 101 selectors; at most 100 \(Prometheus selects and merges each one\)$/,
  };
}

/** Over 16 384 characters, within the corpus' 64 KiB body limit once form-encoded. */
const LONG_QUERY = `sum(${'x'.repeat(17_000)})`;
const TOO_LONG = new RegExp(
  `^invalid parameter "(query|match\\[\\])": \\d+ characters; at most 16384 \\(limits\\.maxQueryLength\\)$`
);
const TOO_MANY_TOKENS =
  /^invalid parameter "query": \d+ tokens to format; at most 1000 \(formatting costs Prometheus time cubic/;

export const PASS_THROUGH_CASES: HostileCase[] = [
  notForwarded('POST', `/api/v1/admin/tsdb/delete_series?${MATCH}`),
  notForwarded('PUT', `/api/v1/admin/tsdb/delete_series?${MATCH}`),
  notForwarded('POST', '/api/v1/admin/tsdb/snapshot'),
  notForwarded('POST', '/api/v1/admin/tsdb/clean_tombstones'),
  methodNotAllowed('DELETE', `/api/v1/series?${MATCH}`, 'GET or POST'),
  notForwarded('GET', '/api/v1/status/config'),
  notForwarded('GET', '/api/v1/status/flags'),
  notForwarded('GET', '/api/v1/status/runtimeinfo'),
  notForwarded('GET', '/api/v1/status/tsdb'),
  notForwarded('GET', '/api/v1/targets'),
  notForwarded('POST', '/api/v1/write'),
  notForwarded('POST', '/api/v1/otlp/v1/metrics'),
  notForwarded('GET', `/federate?${MATCH}`),
  notForwarded('POST', '/-/quit'),
  notForwarded('PUT', '/-/reload'),
  methodNotAllowed('POST', '/api/v1/metadata', 'GET'),
  methodNotAllowed('PATCH', '/api/v1/query?query=up', 'GET or POST'),
  methodNotAllowed('PUT', '/api/v1/query_range', 'GET or POST'),
  methodNotAllowed('POST', '/api/v1/status/buildinfo', 'GET'),
  methodNotAllowed('POST', `/api/v1/label/job/values?${MATCH}`, 'GET'),
  methodNotAllowed('DELETE', '/api/v1/label/job/values', 'GET'),
  notForwarded('OPTIONS', `/api/v1/series?${MATCH}`),
  badLabelName('/api/v1/label/..%2F..%2Fadmin%2Ftsdb%2Fsnapshot/values', '../../admin/tsdb/snapshot'),
  badLabelName('/api/v1/label/job%3Fmatch[]=up/values', 'job?match[]=up'),
  badLabelName('/api/v1/label/job%00/values', 'job\u0000'),
  badLabelName('/api/v1/label/j%C3%B6b/values', 'jöb'),
  refusedPromql('/api/v1/format_query', 'query', LONG_QUERY, TOO_LONG),
  refusedPromql('/api/v1/format_query', 'query', `${'abs('.repeat(400)}up${')'.repeat(400)}`, TOO_MANY_TOKENS),
  refusedPromql('/api/v1/format_query', 'query', Array.from({ length: 600 }, () => '1').join('+'), TOO_MANY_TOKENS),
  refusedPromql('/api/v1/query_exemplars', 'query', LONG_QUERY, TOO_LONG),
  refusedPromql('/api/v1/series', 'match[]', `{job=~"${'a|'.repeat(9000)}a"}`, TOO_LONG),
  refusedPromql('/api/v1/labels', 'match[]', `{job=~"${'a|'.repeat(9000)}a"}`, TOO_LONG),
  tooManyMatchers('/api/v1/series', 'POST'),
  tooManyMatchers('/api/v1/labels', 'GET'),
  tooManyMatchers('/api/v1/label/job/values', 'GET'),
];
