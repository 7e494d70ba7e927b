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

function notForwarded(method: string, target: string): HostileCase {
  const path = target.split('?')[0];
  return {
    class: 'passthrough',
    name: `${method} ${target}`,
    send: ({ port }) =>
      rawRequest(port, { method, target, headers: AUTHORIZED, ...(method === 'POST' ? { body: '' } : {}) }),
    status: 404,
    errorType: 'not_found',
    error: new RegExp(`^${method} ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not an endpoint of this proxy$`),
  };
}

function badLabelName(target: string, decoded: string): HostileCase {
  return {
    class: 'passthrough',
    name: `label values of ${JSON.stringify(decoded)} (${target})`,
    send: ({ port }) => rawRequest(port, { target, headers: AUTHORIZED }),
    status: 400,
    errorType: 'bad_data',
    error: new RegExp(`^invalid label name: ${JSON.stringify(decoded).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
  };
}

const MATCH = `match[]=${encodeURIComponent('{job="telemetry"}')}`;

export const PASS_THROUGH_CASES: HostileCase[] = [
  notForwarded('POST', `/api/v1/admin/tsdb/delete_series?${MATCH}`),
  notForwarded('PUT', `/api/v1/admin/tsdb/delete_series?${MATCH}`),
  notForwarded('POST', '/api/v1/admin/tsdb/snapshot'),
  notForwarded('POST', '/api/v1/admin/tsdb/clean_tombstones'),
  notForwarded('DELETE', `/api/v1/series?${MATCH}`),
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
  notForwarded('POST', '/api/v1/metadata'),
  notForwarded('PATCH', '/api/v1/query?query=up'),
  notForwarded('OPTIONS', `/api/v1/series?${MATCH}`),
  badLabelName('/api/v1/label/..%2F..%2Fadmin%2Ftsdb%2Fsnapshot/values', '../../admin/tsdb/snapshot'),
  badLabelName('/api/v1/label/job%3Fmatch[]=up/values', 'job?match[]=up'),
  badLabelName('/api/v1/label/job%00/values', 'job\u0000'),
  badLabelName('/api/v1/label/j%C3%B6b/values', 'jöb'),
];
