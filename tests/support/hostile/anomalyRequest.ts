/** An authorized anomaly query as Grafana sends it (form POST of query_range over the dataset's last hours). */
import { RawAnswer, rawRequest } from '../rawHttp';
import { AUTHORIZED } from './setup';
import { HostileTarget } from './types';

export function queryRangeOver(
  target: HostileTarget,
  query: string,
  params: Record<string, string> = {}
): Promise<RawAnswer> {
  const end = target.dataset.end / 1000;
  const body = new URLSearchParams({ query, start: String(end - 6 * 3600), end: String(end), step: '60', ...params });
  return rawRequest(target.port, {
    method: 'POST',
    target: '/api/v1/query_range',
    headers: { ...AUTHORIZED, 'content-type': 'application/x-www-form-urlencoded' },
    body: body.toString(),
  });
}

export function instantQueryAt(target: HostileTarget, params: Record<string, string>): Promise<RawAnswer> {
  return rawRequest(target.port, {
    target: `/api/v1/query?${new URLSearchParams(params)}`,
    headers: AUTHORIZED,
  });
}
