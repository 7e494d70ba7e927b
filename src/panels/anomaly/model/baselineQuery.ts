import {
  type DataFrame,
  type DataQueryRequest,
  type DataQueryResponse,
  type PanelData,
  type TimeRange,
  dateTimeForTimeZone,
  rangeUtil,
} from '@grafana/data';
import type { DataQuery, TimeZone } from '@grafana/schema';
import { getDataSourceSrv } from '@grafana/runtime';
import { isObservable, lastValueFrom } from 'rxjs';
import { TRAINING_QUERY_STEPS, trainingQueryRanges } from './trainingQueryRanges';

/**
 * Runs the panel's own queries again over the training range, through Grafana's data source API (so proxying,
 * auth, template variables and caching behave as for the panel itself), at the panel's own interval, in pieces of
 * at most TRAINING_QUERY_STEPS rows `stepMs` apart (trainingQueryRanges). Queries are grouped by data source, so a
 * panel on the Mixed data source works too. The frames of each piece, all data sources' together, piece by piece.
 * @param stepMs the spacing of the panel's rows (its interval, or wider); 0: one query at Grafana's interval
 */
export async function queryBaseline(
  data: PanelData,
  range: { from: number; to: number },
  maxDataPoints: number,
  stepMs: number
): Promise<DataFrame[][]> {
  const request = data.request;
  if (!request || request.targets.length === 0) {
    throw new Error('The panel has no queries to repeat over the training range');
  }
  const known = request.intervalMs > 0;
  const interval = known
    ? { interval: request.interval, intervalMs: request.intervalMs }
    : rangeUtil.calculateInterval(absolute(range.from, range.to, request.timezone), maxDataPoints);
  const byDataSource = new Map<string, DataQuery[]>();
  for (const target of request.targets.filter((t) => !t.hide)) {
    const uid = target.datasource?.uid ?? '';
    byDataSource.set(uid, [...(byDataSource.get(uid) ?? []), target]);
  }
  const pieces = trainingQueryRanges(range, known ? stepMs : 0);
  return Promise.all(
    pieces.map(async (piece, index) => {
      const pieceRange = absolute(piece.from, piece.to, request.timezone);
      const frames = await Promise.all(
        [...byDataSource.values()].map(async (targets) => {
          const ds = await getDataSourceSrv().get(targets[0].datasource ?? undefined, request.scopedVars);
          const shifted: DataQueryRequest = {
            ...request,
            requestId: `${request.requestId}-anomaly-training-${index}`,
            targets,
            range: pieceRange,
            rangeRaw: pieceRange.raw,
            interval: interval.interval,
            intervalMs: interval.intervalMs,
            // Enough points for the piece at the panel's step: the data source keeps the interval it is given.
            maxDataPoints: known ? TRAINING_QUERY_STEPS : maxDataPoints,
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
      return frames.flat();
    })
  );
}

/**
 * A range in the dashboard's time zone, as Grafana's own ranges are: the Prometheus data source aligns a query to
 * its step in the offset of its range's end (utcOffsetSec), as it aligned the panel's visible query.
 */
function absolute(from: number, to: number, timeZone?: TimeZone): TimeRange {
  const f = dateTimeForTimeZone(timeZone, from);
  const t = dateTimeForTimeZone(timeZone, to);
  return { from: f, to: t, raw: { from: f, to: t } };
}
