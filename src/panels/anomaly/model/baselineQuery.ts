import {
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type PanelData,
  type TimeRange,
  rangeUtil,
} from '@grafana/data';
import type { DataQuery } from '@grafana/schema';
import { getDataSourceSrv } from '@grafana/runtime';
import { isObservable, lastValueFrom } from 'rxjs';

/**
 * Runs the panel's own queries again over the training range, through Grafana's data source API (so proxying,
 * auth, template variables and caching behave as for the panel itself). Queries are grouped by data source, so a
 * panel on the Mixed data source works too.
 */
export async function queryBaseline(data: PanelData, range: TimeRange, maxDataPoints: number): Promise<DataFrame[]> {
  const request = data.request;
  if (!request || request.targets.length === 0) {
    throw new Error('The panel has no queries to repeat over the training range');
  }
  const interval = rangeUtil.calculateInterval(range, maxDataPoints);
  const byDataSource = new Map<string, DataQuery[]>();
  for (const target of request.targets.filter((t) => !t.hide)) {
    const uid = target.datasource?.uid ?? '';
    byDataSource.set(uid, [...(byDataSource.get(uid) ?? []), target]);
  }
  const responses = await Promise.all(
    [...byDataSource.values()].map(async (targets) => {
      const ds = await getDataSourceSrv().get(targets[0].datasource ?? undefined, request.scopedVars);
      const shifted: DataQueryRequest = {
        ...request,
        requestId: `${request.requestId}-anomaly-training`,
        targets,
        range,
        rangeRaw: range.raw,
        interval: interval.interval,
        intervalMs: interval.intervalMs,
        maxDataPoints,
        startTime: Date.now(),
      };
      const result = ds.query(shifted);
      const response: DataQueryResponse = isObservable(result) ? await lastValueFrom(result) : await result;
      const error = response.errors?.[0];
      if (error) {
        throw new Error(`Training query failed: ${error.message ?? 'unknown error'}`);
      }
      return response.data as DataFrame[];
    })
  );
  return responses.flat();
}
